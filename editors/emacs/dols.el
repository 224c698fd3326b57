;;; dols.el --- Eglot setup for dols, the Durable Objects language server -*- lexical-binding: t -*-

;; Keywords: languages, tools
;; Package-Requires: ((emacs "27.1") (eglot "1.9"))

;;; Commentary:

;; Connects `dols lsp' to Emacs through Eglot.
;;
;;   (add-to-list 'load-path "/path/to/dols/editors/emacs")
;;   (require 'dols)
;;
;; What it does:
;;
;; - `wrangler.toml', `wrangler.json' and `wrangler.jsonc' open in
;;   `dols-wrangler-toml-mode' / `dols-wrangler-json-mode', small modes
;;   derived from the TOML/JSON mode you already have (toml-ts-mode or
;;   conf-toml-mode; json-ts-mode, jsonc-mode, json-mode, js-json-mode or
;;   js-mode), so your TOML/JSON setup still applies to them.
;; - Eglot starts dols for those buffers (`eglot-ensure', unless
;;   `dols-eglot-ensure' is nil).  Other TOML and JSON files (Cargo.toml,
;;   package.json) keep whatever server you use for them: Eglot picks a
;;   server by major mode, and only wrangler files get dols's modes.
;; - TypeScript/JavaScript buffers are left to your TypeScript server
;;   (typescript-language-server by default).  Eglot runs ONE server per
;;   buffer, so dols can only manage TS buffers in place of it; set
;;   `dols-typescript' to `replace' for that, or to `rass' to run both
;;   through the `rass' multiplexer (pip install rassumfrassum).  See
;;   editors/emacs/README.md.
;;
;; - `dols-fix-all' applies every safe dols fix of the buffer at once (the
;;   code action `source.fixAll.dols'); with `dols-fix-on-save' it runs
;;   before each save of a buffer dols serves.
;;
;; dols ignores the languageId, so one dols process per project serves
;; all these modes.

;;; Code:

(require 'cl-lib)
(require 'eglot)

(defgroup dols nil
  "The Durable Objects language server (dols) through Eglot."
  :group 'eglot
  :prefix "dols-")

(defcustom dols-program '("dols" "lsp")
  "Command that starts the dols language server (program and arguments)."
  :type '(repeat string))

(defcustom dols-eglot-ensure t
  "When non-nil, opening a wrangler config starts Eglot with dols."
  :type 'boolean)

(defcustom dols-typescript nil
  "How dols relates to TypeScript/JavaScript buffers.
nil      leave them to your TypeScript server (default);
`replace' dols manages them instead of the TypeScript server
         (you lose TypeScript's own completion, hover and errors);
`rass'   run the TypeScript server and dols together through the
         `rass' multiplexer (pip install rassumfrassum), see
         `dols-rass-typescript-program'.
Set it before loading dols.el, or call `dols-eglot-setup' after
changing it."
  :type '(choice (const :tag "Leave TS/JS to the TypeScript server" nil)
                 (const :tag "dols instead of the TypeScript server" replace)
                 (const :tag "Both, through rass" rass)))

(defcustom dols-rass-typescript-program '("typescript-language-server" "--stdio")
  "TypeScript server that `rass' runs next to dols.
Used when `dols-typescript' is `rass'."
  :type '(repeat string))

(defcustom dols-fix-on-save nil
  "When non-nil, run `dols-fix-all' before saving a buffer dols serves.
That is a wrangler config, and a TS/JS buffer when `dols-typescript' is
`replace' or `rass'.  It waits for dols's answer; a buffer with nothing
to fix is saved as it is."
  :type 'boolean)

(defconst dols-fix-all-kind "source.fixAll.dols"
  "Code action kind of dols's fix-all: every safe fix of one file.")

(defconst dols-typescript-modes
  '((typescript-ts-mode :language-id "typescript")
    (tsx-ts-mode :language-id "typescriptreact")
    (typescript-mode :language-id "typescript")
    (js-ts-mode :language-id "javascript")
    (js-mode :language-id "javascript"))
  "TS/JS major modes dols manages when `dols-typescript' is non-nil.")

(defun dols--first-mode (candidates)
  "First major mode of CANDIDATES that is defined and usable here."
  (cl-find-if
   (lambda (mode)
     (and (fboundp mode)
          (let ((lang (get mode 'dols--treesit-language)))
            (or (null lang)
                (and (fboundp 'treesit-language-available-p)
                     (treesit-language-available-p lang))))))
   candidates))

;; Tree-sitter modes only work with their grammar installed.
(put 'toml-ts-mode 'dols--treesit-language 'toml)
(put 'json-ts-mode 'dols--treesit-language 'json)

(defconst dols--toml-parent
  (dols--first-mode '(toml-ts-mode conf-toml-mode)))

(defconst dols--json-parent
  ;; jsonc-mode (from the json-mode package) and js-mode accept comments;
  ;; wrangler.jsonc has them.
  (dols--first-mode '(json-ts-mode jsonc-mode json-mode js-json-mode js-mode)))

;; The parents are picked at load time, so define the modes with `eval'.
(eval
 `(define-derived-mode dols-wrangler-toml-mode ,dols--toml-parent "Wrangler"
    "Major mode for wrangler.toml, so Eglot can give it to dols.
Derived from `toml-ts-mode' or `conf-toml-mode'; their hooks run too."))

(eval
 `(define-derived-mode dols-wrangler-json-mode ,dols--json-parent "Wrangler"
    "Major mode for wrangler.json and wrangler.jsonc, for dols through Eglot.
Derived from the first of `json-ts-mode', `jsonc-mode', `json-mode',
`js-json-mode' and `js-mode' that is available; its hooks run too."))

(add-to-list 'auto-mode-alist '("/wrangler\\.toml\\'" . dols-wrangler-toml-mode))
(add-to-list 'auto-mode-alist '("/wrangler\\.jsonc?\\'" . dols-wrangler-json-mode))

(defun dols--maybe-ensure ()
  "Start Eglot for a wrangler config when `dols-eglot-ensure' is on."
  (when dols-eglot-ensure
    (eglot-ensure)))

(add-hook 'dols-wrangler-toml-mode-hook #'dols--maybe-ensure)
(add-hook 'dols-wrangler-json-mode-hook #'dols--maybe-ensure)

(defun dols--contact-dols (&optional _interactive)
  "Eglot contact for dols alone: `dols-program'."
  dols-program)

(defun dols--contact-rass (&optional _interactive)
  "Eglot contact running the TypeScript server and dols through rass."
  `("rass" "--" ,@dols-rass-typescript-program "--" ,@dols-program))

(defun dols--entry-p (entry)
  "Non-nil if ENTRY of `eglot-server-programs' was added by dols.el."
  (memq (cdr entry) '(dols--contact-dols dols--contact-rass)))

(defun dols-eglot-setup ()
  "Put dols's entries first in `eglot-server-programs'.
Wrangler configs always go to dols.  TS/JS buffers go to dols too when
`dols-typescript' is `replace', or to rass (the TypeScript server and
dols side by side) when it is `rass'.  Call it again after changing
`dols-typescript' or after adding your own entries for these modes."
  (interactive)
  (setq eglot-server-programs (cl-remove-if #'dols--entry-p eglot-server-programs))
  (let ((configs '((dols-wrangler-toml-mode :language-id "toml")
                   (dols-wrangler-json-mode :language-id "json"))))
    (pcase dols-typescript
      ('nil)
      ('replace (setq configs (append configs dols-typescript-modes)))
      ('rass (push (cons dols-typescript-modes 'dols--contact-rass) eglot-server-programs))
      (other (user-error "dols-typescript: unknown value %S" other)))
    ;; Contacts are functions, so later changes of dols-program apply.
    (push (cons configs 'dols--contact-dols) eglot-server-programs)))

(dols-eglot-setup)

(defun dols--served-p ()
  "Non-nil if Eglot gives this buffer to dols (alone or through rass)."
  (and (bound-and-true-p eglot--managed-mode)
       (or (derived-mode-p 'dols-wrangler-toml-mode 'dols-wrangler-json-mode)
           (and dols-typescript
                (apply #'derived-mode-p (mapcar #'car dols-typescript-modes))))))

(defun dols-fix-all ()
  "Apply every safe dols fix of this buffer at once.
Runs dols's code action of kind `source.fixAll.dols' (e.g. the
`https://do' origin that relative-stub-fetch-url puts in front of
stub.fetch(\"/path\")).  Fixes that are not safe, or that edit other
files, stay in `eglot-code-actions'."
  (interactive)
  (condition-case err
      ;; With an action kind and one action, Eglot applies it unasked.
      (eglot-code-actions (point-min) (point-max) dols-fix-all-kind t)
    (error (when (called-interactively-p 'any)
             (message "dols: %s" (error-message-string err))))))

(defun dols--fix-before-save ()
  "`before-save-hook' of buffers dols serves: `dols-fix-all' when asked."
  (when (and dols-fix-on-save (dols--served-p))
    (dols-fix-all)))

(defun dols--managed-buffer ()
  "Hook fix-on-save into buffers that Eglot gives to dols."
  (if (dols--served-p)
      (add-hook 'before-save-hook #'dols--fix-before-save nil t)
    (remove-hook 'before-save-hook #'dols--fix-before-save t)))

(add-hook 'eglot-managed-mode-hook #'dols--managed-buffer)

(provide 'dols)
;;; dols.el ends here
