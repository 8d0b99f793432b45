/** The current time, injected so that expiries and schedules are testable without sleeping. */
export type Clock = () => Date;

export const systemClock: Clock = () => new Date();
