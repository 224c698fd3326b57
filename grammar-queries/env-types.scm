; Property names of the types that describe the Worker's env. Also matches
; `declare namespace Cloudflare { interface Env {...} }` from
; worker-configuration.d.ts, since the inner interface is an ordinary one.

(interface_declaration
  name: (type_identifier) @_name
  body: (interface_body
    (property_signature
      name: (_) @env_type.member))
  (#any-of? @_name "Env" "Bindings" "CloudflareBindings"))

(type_alias_declaration
  name: (type_identifier) @_name
  value: (object_type
    (property_signature
      name: (_) @env_type.member))
  (#any-of? @_name "Env" "Bindings" "CloudflareBindings"))

; `type Env = Base & { ... }`
(type_alias_declaration
  name: (type_identifier) @_name
  value: (intersection_type
    (object_type
      (property_signature
        name: (_) @env_type.member)))
  (#any-of? @_name "Env" "Bindings" "CloudflareBindings"))
