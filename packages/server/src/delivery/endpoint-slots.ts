interface Entry {
  company: string;
  sending: number;
  held: Set<number>;
}

/**
 * What the delivery worker holds, per endpoint: its request slots (sending now) and the deliveries it
 * holds (sending, or recording the outcome, or cooling down after a failed record), by `seq`; and the
 * slots taken per company, for the claim's fair order. One place, so the counts can never drift apart.
 */
export class EndpointSlots {
  private readonly endpoints = new Map<string, Entry>();
  private readonly companies = new Map<string, number>();
  /** Requests under way across every endpoint. */
  sending = 0;

  /** A delivery of the company's endpoint is being sent: one slot taken, the delivery held. */
  take(endpointId: string, companyId: string, seq: number): void {
    let entry = this.endpoints.get(endpointId);
    if (entry === undefined)
      this.endpoints.set(endpointId, (entry = { company: companyId, sending: 0, held: new Set() }));
    entry.sending++;
    entry.held.add(seq);
    this.sending++;
    this.companies.set(entry.company, (this.companies.get(entry.company) ?? 0) + 1);
  }

  /** Its request is over: the slot is free (the delivery stays held). Answers the endpoint's slots still taken. */
  free(endpointId: string): number {
    this.sending--;
    const entry = this.endpoints.get(endpointId);
    if (entry === undefined) return 0;
    if (entry.sending > 0) {
      entry.sending--;
      const left = (this.companies.get(entry.company) ?? 1) - 1;
      if (left > 0) this.companies.set(entry.company, left);
      else this.companies.delete(entry.company);
    }
    this.forgetIfIdle(endpointId, entry);
    return entry.sending;
  }

  /** The delivery is no longer held: recorded, given back, or cooled down. */
  letGo(endpointId: string, seq: number): void {
    const entry = this.endpoints.get(endpointId);
    if (entry === undefined) return;
    entry.held.delete(seq);
    this.forgetIfIdle(endpointId, entry);
  }

  /** Slots taken for the endpoint. */
  sendingTo(endpointId: string): number {
    return this.endpoints.get(endpointId)?.sending ?? 0;
  }

  /** Slots taken for the company's endpoints. */
  sendingFor(companyId: string): number {
    return this.companies.get(companyId) ?? 0;
  }

  /** The `seq` of each of the endpoint's deliveries held. */
  held(endpointId: string): ReadonlySet<number> {
    return this.endpoints.get(endpointId)?.held ?? NONE;
  }

  private forgetIfIdle(endpointId: string, entry: Entry): void {
    if (entry.sending === 0 && entry.held.size === 0) this.endpoints.delete(endpointId);
  }
}

const NONE: ReadonlySet<number> = new Set();
