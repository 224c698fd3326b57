; Module structure: import/export statements and CommonJS/dynamic loads.
; Statements are captured whole; extract code reads their clauses.

(import_statement) @import

(export_statement) @export

; `require("x")`: only a literal first argument names a module.
(call_expression
  function: (identifier) @_require
  arguments: (arguments . (string) @dynamic.specifier)
  (#eq? @_require "require"))

; `import("x")`
(call_expression
  function: (import)
  arguments: (arguments . (string) @dynamic.specifier))
