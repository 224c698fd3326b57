; Storage APIs that exist only on SQLite-backed Durable Objects.

; `<anything>.storage.sql` (`this.ctx.storage.sql`, `state.storage.kv`) and a
; local named `storage` (`storage.sql`). Only the member name is matched here;
; extract code checks the receiver. Why: a pattern nesting member_expression
; inside member_expression keeps a partial match open per chain link, which
; goes quadratic on long `a.b.c...` chains in minified code.
((property_identifier) @storage.member
  (#any-of? @storage.member
    "sql" "kv" "transactionSync" "getCurrentBookmark"
    "getBookmarkForTime" "onNextSessionRestoreBookmark"))

; `const { sql } = this.ctx.storage`: extract code filters the keys.
(variable_declarator
  name: (object_pattern) @storage.pattern
  value: (member_expression
    property: (property_identifier) @_storage) @storage.receiver
  (#eq? @_storage "storage"))
