// Entry point
import { route } from './route.js'

export { Counter } from './objects/Counter.js'

export default {
  async fetch(request, env) {
    return route(request, env)
  },
}
