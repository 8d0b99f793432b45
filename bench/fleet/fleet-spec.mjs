// The fleet, the same for every system in a run: which endpoint hangs, fails, limits its in-flight
// requests or speaks TLS, and how long each answer takes — all from one seed.

/** A small seeded PRNG (mulberry32): uniform in [0, 1). */
export function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Answer times: lognormal, p99 = 15 × the median (median 100 ms → p99 1.5 s), cut at 9 s (< Zupy's 10 s timeout). */
export const SIGMA = Math.log(15) / 2.3263;
export const MAX_ANSWER_MS = 9_000;
export const HEALTHY_MEDIAN_MS = 100;
/** Concurrency-limited endpoints are slower APIs (median 300 ms), so that 4 in flight is a real limit. */
export const LIMITED_MEDIAN_MS = 300;
export const LIMITED_IN_FLIGHT = 4;

/** A lognormal draw of median `median` (Box–Muller on `random`). */
export function lognormal(random, median) {
  const u = 1 - random();
  const v = random();
  const z = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  return Math.min(MAX_ANSWER_MS, median * Math.exp(SIGMA * z));
}

/** Mean of the (uncut) lognormal: median × e^(σ²/2). */
export const lognormalMean = (median) => median * Math.exp((SIGMA * SIGMA) / 2);

/**
 * `n` endpoints: 5 % hang, 5 % fail half the time (500), 10 % answer 429 beyond 4 in flight, the rest
 * healthy; kinds shuffled by the seed, and every other endpoint of each kind over TLS.
 */
export function fleetSpec(n, seed) {
  const random = prng(seed);
  const hang = Math.round(n * 0.05);
  const flaky = Math.round(n * 0.05);
  const limited = Math.round(n * 0.1);
  const kinds = [
    ...Array(hang).fill('hang'),
    ...Array(flaky).fill('flaky'),
    ...Array(limited).fill('limited'),
    ...Array(n - hang - flaky - limited).fill('healthy'),
  ];
  for (let i = kinds.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [kinds[i], kinds[j]] = [kinds[j], kinds[i]];
  }
  const seen = {};
  return kinds.map((kind, index) => {
    seen[kind] = (seen[kind] ?? 0) + 1;
    return {
      index,
      kind,
      tls: seen[kind] % 2 === 0,
      medianMs: kind === 'limited' ? LIMITED_MEDIAN_MS : HEALTHY_MEDIAN_MS,
      path: `/hooks/${index}/${Math.floor(random() * 1e9).toString(36)}`,
    };
  });
}
