import { DurableObject } from "cloudflare:workers";

export class Counter extends DurableObject<Env> {
  async hit(): Promise<number> {
    this.ctx.storage.sql.exec("CREATE TABLE IF NOT EXISTS visits (at INTEGER)");
    this.ctx.storage.sql.exec("INSERT INTO visits (at) VALUES (?)", Date.now());
    return this.total();
  }

  async stats(): Promise<{ total: number; lastHour: number }> {
    const hourAgo = Date.now() - 3_600_000;
    const lastHour = this.ctx.storage.sql
      .exec<{ n: number }>("SELECT COUNT(*) AS n FROM visits WHERE at > ?", hourAgo)
      .one().n;
    return { total: this.total(), lastHour };
  }

  private total(): number {
    return this.ctx.storage.sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM visits").one().n;
  }
}
