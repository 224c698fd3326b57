import { DurableObject } from 'cloudflare:workers'

export class Counter extends DurableObject {
  hit() {
    const count = (this.ctx.storage.kv.get('count') ?? 0) + 1
    this.ctx.storage.kv.put('count', count)
    return count
  }
}
