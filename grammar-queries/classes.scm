; Class declarations and class expressions (`const Foo = class extends X {}`).

(class_declaration) @class

(abstract_class_declaration) @class

(class) @class

; Recovery: with an unclosed body (code being typed), tree-sitter often
; leaves `class Name extends Base { ...` as loose children of an ERROR node.
(ERROR
  "class" @recovered.keyword
  .
  [(identifier) (type_identifier)] @recovered.name)
