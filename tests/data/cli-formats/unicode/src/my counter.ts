import { DurableObject } from "cloudflare:workers";

// Compteur de visites — « 😀 » par page.
export class Counter extends DurableObject<Env> {
  async total(keys: string[]): Promise<number> {
    let sum = 0;
    for (const key of keys) {
      const v = await this.ctx.storage.get(`clé😀:${key}`);
      sum += Number(v ?? 0);
    }
    return sum;
  }
}
