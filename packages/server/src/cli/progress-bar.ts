/** A one-line progress bar on stderr: redrawn in place on a terminal, a line per 10 % elsewhere. */
export interface ProgressBar {
  update(done: number): void;
  finish(): void;
}

export function createProgressBar(
  label: string,
  total: number,
  stream: NodeJS.WriteStream = process.stderr,
): ProgressBar {
  const width = 30;
  let lastTenth = -1;
  let last = 0;
  const render = (done: number): string => {
    const ratio = total === 0 ? 1 : Math.min(1, done / total);
    const filled = Math.round(ratio * width);
    return `${label} [${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${done}/${total} ${Math.round(ratio * 100)}%`;
  };
  return {
    update(done) {
      last = done;
      if (stream.isTTY) {
        stream.write(`\r${render(done)}`);
        return;
      }
      const tenth = total === 0 ? 10 : Math.floor((done / total) * 10);
      if (tenth !== lastTenth) {
        lastTenth = tenth;
        stream.write(render(done) + '\n');
      }
    },
    finish() {
      if (stream.isTTY) stream.write(`\r${render(last)}\n`);
      else if (lastTenth !== 10) stream.write(render(last) + '\n');
    },
  };
}
