; Objects that hold the Worker's bindings. Extract code looks at how each one
; is used: `.X` / `["X"]` access, or `const { X } = <object>`.

; `env` (a handler parameter, a local, or `import { env } from "cloudflare:workers"`).
((identifier) @env.param
  (#eq? @env.param "env"))

; `this.env` inside a Durable Object / WorkerEntrypoint.
((member_expression
  object: (this)
  property: (property_identifier) @_env) @env.this
  (#eq? @_env "env"))

; Hono-style context: `c.env`, `ctx.env`, `context.env`. Runtime globals with
; an `env` of their own (Node, Deno, Bun) hold process variables, not bindings.
((member_expression
  object: (identifier) @_object
  property: (property_identifier) @_env) @env.context
  (#eq? @_env "env")
  (#not-any-of? @_object "process" "Deno" "Bun"))
