/** The SQL engines Zupy runs on. Feature code never branches on this; db/ does. */
export type DialectName = 'sqlite' | 'postgres';
