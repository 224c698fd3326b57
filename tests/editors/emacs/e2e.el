;;; e2e.el --- Emacs + Eglot + editors/emacs/dols.el end-to-end test -*- lexical-binding: t -*-

;; Run through run.sh:
;;   DOLS_E2E_EL    editors/emacs (holds dols.el)
;;   DOLS_E2E_BIN   the dols binary
;;   DOLS_E2E_DEMO  a scratch copy of docs/demo (a git work tree: has .git)
;;   DOLS_E2E_MODE  `configs' (default setup) or `replace' (dols-typescript)
;;   DOLS_E2E_TIMEOUT  seconds for each wait (default 20)
;;
;; Checks, through Eglot's user-facing functions:
;;   (a) wrangler.jsonc opens in dols-wrangler-json-mode and dols.el's
;;       eglot-ensure hook starts `<bin> lsp' for it (one command-loop turn)
;;   (b) Flymake gets class-not-exported on the "ChatRoom" class_name
;;   (c) hover (Eglot's eldoc function) on that class_name answers
;;   (d) completion (Eglot's completion-at-point) in a class_name value offers Counter
;;   (e) the quick fix, picked through `eglot-code-actions', re-exports
;;       ChatRoom in src/index.ts
;;   configs: TS buffers stay with the TypeScript server (Eglot's own entry)
;;   replace: a TS buffer joins the same dols server, gets unknown-binding,
;;            completion after `env.' offers CHAT_ROOM, and its fix applies;
;;            M-x dols-fix-all, then saving with `dols-fix-on-save', make an
;;            added stub.fetch("/path") absolute (source.fixAll.dols)
;; Exit status: 0 ok, 1 a check failed, 2 the harness failed.

(require 'cl-lib)
(require 'json)
(require 'subr-x)
;; -Q skips Debian's site-start: put the elpa-* packages (eglot 1.9 and the
;; newer project/xref it needs) on the load-path by hand.
(dolist (d (file-expand-wildcards "/usr/share/emacs/site-lisp/elpa/*"))
  (when (file-directory-p d) (add-to-list 'load-path d)))

(defvar e2e-t0 (float-time))
(defvar e2e-failures nil)
(defvar e2e-timeout (string-to-number (or (getenv "DOLS_E2E_TIMEOUT") "20")))

(defun e2e-log (fmt &rest args)
  (princ (format "[emacs-e2e %5d ms] %s\n" (round (* 1000 (- (float-time) e2e-t0)))
                 (apply #'format fmt args))
         #'external-debugging-output))

(defun e2e-check (ok what &optional detail)
  (if ok
      (e2e-log "ok   %s" what)
    (e2e-log "FAIL %s%s" what (if detail (format ": %s" detail) ""))
    (push what e2e-failures))
  ok)

(defun e2e-env (name)
  (let ((v (getenv name)))
    (unless (and v (not (string-empty-p v)))
      (error "%s is not set (run tests/editors/emacs/run.sh)" name))
    v))

(defun e2e-wait (pred &optional secs)
  "Run the event loop until PRED is non-nil or SECS (default the timeout) pass."
  (let ((deadline (+ (float-time) (or secs e2e-timeout))) v)
    (while (and (not (setq v (funcall pred))) (< (float-time) deadline))
      (accept-process-output nil 0.03)
      ;; File notifications arrive as input events, which a batch session
      ;; only handles while reading one.
      (ignore-errors (read-event nil nil 0.02)))
    v))

(defun e2e-lsp-code (diag)
  (plist-get (cdr (assoc 'eglot-lsp-diag (flymake-diagnostic-data diag))) :code))

(defun e2e-diag (code)
  "The Flymake diagnostic of the current buffer with rule id CODE."
  (cl-find code (flymake-diagnostics) :key #'e2e-lsp-code :test #'equal))

(defun e2e-codes ()
  (mapcar #'e2e-lsp-code (flymake-diagnostics)))

(defun e2e-goto (needle &optional offset)
  "Put point OFFSET characters into the first occurrence of NEEDLE."
  (goto-char (point-min))
  (unless (search-forward needle nil t)
    (error "`%s' not found in %s" needle (buffer-name)))
  (goto-char (+ (match-beginning 0) (or offset 0))))

(defun e2e-hover ()
  "Hover text at point through Eglot's eldoc function, or nil."
  (let (info done)
    (eglot-hover-eldoc-function (lambda (text &rest _) (setq info text done t)))
    (e2e-wait (lambda () done))
    info))

(defun e2e-completions ()
  "Candidates of Eglot's completion-at-point at point."
  (let* ((capf (eglot-completion-at-point))
         (prefix (buffer-substring-no-properties (nth 0 capf) (nth 1 capf))))
    (all-completions prefix (nth 2 capf))))

(defun e2e-code-action (beg end title)
  "Run `eglot-code-actions' on BEG..END as a user would and pick TITLE.
Returns the titles offered."
  (let (offered)
    (cl-letf (((symbol-function 'completing-read)
               (lambda (_prompt collection &rest _)
                 (setq offered (mapcar #'car collection))
                 (if (member title offered) title (car offered))))
              ;; Edits to files that are not open ask for confirmation.
              ((symbol-function 'y-or-n-p) (lambda (&rest _) t)))
      ;; A non-list last-nonmenu-event makes Eglot use completing-read,
      ;; not a popup menu.
      (let ((last-nonmenu-event ?a))
        (eglot-code-actions beg end nil t)))
    offered))

(defun e2e-flush ()
  "Send the buffer's pending changes.
Eglot sends them from an idle timer, and a batch session is never idle."
  (when eglot--managed-mode (eglot--signal-textDocument/didChange)))

(defun e2e-managed-by (server)
  (and eglot--managed-mode (eq (eglot-current-server) server)))

(defun e2e-run ()
  (let* ((el (e2e-env "DOLS_E2E_EL"))
         (bin (e2e-env "DOLS_E2E_BIN"))
         (demo (file-name-as-directory (e2e-env "DOLS_E2E_DEMO")))
         (mode (intern (or (getenv "DOLS_E2E_MODE") "configs")))
         server)
    (add-to-list 'load-path el)
    (e2e-log "Emacs %s, Eglot %s, mode %s, server %s" emacs-version
             (or (ignore-errors (package-desc-version (car (alist-get 'eglot package-alist)))) "1.9")
             mode bin)
    (require 'eglot)
    (require 'flymake)
    ;; What a user writes in init.el.
    (setq dols-program (list bin "lsp")
          dols-typescript (and (memq mode '(replace rass)) mode))
    (when (eq mode 'rass)
      (setq dols-rass-typescript-program (list (e2e-env "DOLS_E2E_TSLS") "--stdio"))
      (push (file-name-directory (e2e-env "DOLS_E2E_RASS")) exec-path))
    (require 'dols)
    ;; Emacs 28 has no TypeScript mode: a stand-in for the typescript-mode
    ;; package, which Eglot's own entry maps to typescript-language-server.
    (define-derived-mode typescript-mode prog-mode "TS" "Stand-in for typescript-mode.")
    (add-to-list 'auto-mode-alist '("\\.ts\\'" . typescript-mode))
    (setq eglot-sync-connect e2e-timeout
          eglot-connect-timeout e2e-timeout
          eglot-autoshutdown t)

    ;; (a) open the config; dols.el's hook calls eglot-ensure, which
    ;; connects on the next command loop turn.
    (find-file (expand-file-name "wrangler.jsonc" demo))
    (e2e-check (eq major-mode 'dols-wrangler-json-mode)
               "(a) wrangler.jsonc opens in dols-wrangler-json-mode" major-mode)
    (run-hooks 'post-command-hook)
    (setq server (e2e-wait (lambda () (and eglot--managed-mode (eglot-current-server)))))
    (unless server (error "Eglot did not start a server for wrangler.jsonc"))
    (let ((cmd (process-command (jsonrpc--process server))))
      (e2e-check (equal cmd (list bin "lsp")) "(a) Eglot started `dols lsp' for it" cmd))
    (e2e-check (equal (file-name-as-directory (expand-file-name (project-root (eglot--project server))))
                      (file-name-as-directory (file-truename demo)))
               "(a) the project root is the Worker folder" (project-root (eglot--project server)))
    (let ((cfg (current-buffer)) diag)
      ;; (b) diagnostics
      (flymake-start)
      (setq diag (e2e-wait (lambda () (e2e-diag "class-not-exported"))))
      (when (e2e-check diag "(b) Flymake shows class-not-exported" (e2e-codes))
        (e2e-check (equal (buffer-substring-no-properties (flymake-diagnostic-beg diag)
                                                          (flymake-diagnostic-end diag))
                          "\"ChatRoom\"")
                   "(b) on the \"ChatRoom\" class_name"
                   (buffer-substring-no-properties (flymake-diagnostic-beg diag)
                                                   (flymake-diagnostic-end diag))))
      ;; (c) hover
      (e2e-goto "\"class_name\": \"ChatRoom\"" (length "\"class_name\": \"Ch"))
      (let ((hover (e2e-hover)))
        (e2e-check (and hover (string-match-p "ChatRoom" hover))
                   "(c) hover on class_name \"ChatRoom\" describes the class" hover)
        (when hover (e2e-log "     %s" (car (split-string hover "\n")))))
      ;; (d) completion inside a class_name value
      (e2e-goto "\"class_name\": \"Counter\"" (length "\"class_name\": \"Co"))
      (let ((cands (e2e-completions)))
        (e2e-check (member "Counter" cands) "(d) completion in a class_name value offers Counter" cands)
        (e2e-log "     candidates: %s" cands))
      ;; (e) the quick fix
      (when diag
        (let ((offered (e2e-code-action (flymake-diagnostic-beg diag) (flymake-diagnostic-end diag)
                                        "Re-export class `ChatRoom` from `src/index.ts`")))
          (e2e-check (member "Re-export class `ChatRoom` from `src/index.ts`" offered)
                     "(e) code actions offer: Re-export class `ChatRoom` from `src/index.ts`" offered))
        (let ((index (find-buffer-visiting (expand-file-name "src/index.ts" demo))))
          (e2e-check (and index (with-current-buffer index
                                  (save-excursion
                                    (goto-char (point-min))
                                    (re-search-forward "^export .*ChatRoom.*chat-room" nil t))))
                     "(e) applying it re-exports ChatRoom in src/index.ts"
                     (and index (with-current-buffer index (buffer-substring 1 (min (point-max) 300)))))
          (when index
            (if (eq mode 'replace)
                ;; Eglot opened src/index.ts for the edit, so dols manages
                ;; it and sees the edit at once.
                (e2e-check (with-current-buffer index (e2e-managed-by server))
                           "(e) the edited src/index.ts is managed by dols")
              ;; TS buffers are not dols's: it learns of the edit when the
              ;; file is saved (workspace/didChangeWatchedFiles).
              (e2e-check (with-current-buffer index (not eglot--managed-mode))
                         "(e) the edited src/index.ts is not sent to dols")
              (with-current-buffer index (save-buffer)))
            (with-current-buffer index (e2e-flush))
            (e2e-check (with-current-buffer cfg
                         (e2e-wait (lambda () (not (e2e-diag "class-not-exported")))))
                       (if (eq mode 'replace)
                           "(e) class-not-exported goes away"
                         "(e) class-not-exported goes away once src/index.ts is saved")
                       (with-current-buffer cfg (e2e-codes))))))

      ;; TypeScript buffers
      (pcase mode
        ('rass
         ;; The user's hook for TS buffers: eglot-ensure starts rass, which
         ;; runs typescript-language-server and dols side by side.
         (find-file (expand-file-name "src/index.ts" demo))
         (eglot-ensure)
         (run-hooks 'post-command-hook)
         (let ((ts (e2e-wait (lambda () (and eglot--managed-mode (eglot-current-server))))))
           (e2e-check (and ts (not (eq ts server))
                           (equal (car (process-command (jsonrpc--process ts))) "rass"))
                      "(rass) src/index.ts gets its own rass server"
                      (and ts (process-command (jsonrpc--process ts))))
           (flymake-start)
           (let ((sources nil))
             (e2e-wait (lambda ()
                         (setq sources (delete-dups
                                        (mapcar (lambda (d)
                                                  (plist-get (cdr (assoc 'eglot-lsp-diag (flymake-diagnostic-data d)))
                                                             :source))
                                                (flymake-diagnostics))))
                         (and (member "dols" sources) (member "typescript" sources))))
             (e2e-check (and (member "dols" sources) (member "typescript" sources))
                        "(rass) Flymake shows diagnostics from both dols and typescript" sources))
           (let ((ub (e2e-diag "unknown-binding")))
             (e2e-check ub "(rass) dols's unknown-binding is among them" (e2e-codes))
             (when ub
               (let ((offered (e2e-code-action (flymake-diagnostic-beg ub) (flymake-diagnostic-end ub)
                                               "Use `CHAT_ROOM` instead of `CHAT_ROOMS`")))
                 (e2e-check (member "Use `CHAT_ROOM` instead of `CHAT_ROOMS`" offered)
                            "(rass) code actions offer dols's fix" offered))))))
        ('configs
         (let ((contact (nth 2 (eglot--lookup-mode 'typescript-mode))))
           (e2e-check (equal contact '("typescript-language-server" "--stdio"))
                      "TS buffers keep Eglot's TypeScript server" contact)))
        ('replace
         (find-file (expand-file-name "src/index.ts" demo))
         (e2e-check (e2e-wait (lambda () (e2e-managed-by server)))
                    "(replace) src/index.ts joins the same dols server")
         (flymake-start)
         (let ((ub (e2e-wait (lambda () (e2e-diag "unknown-binding")))))
           (e2e-check ub "(replace) Flymake shows unknown-binding in src/index.ts" (e2e-codes))
           (when ub
             (let ((offered (e2e-code-action (flymake-diagnostic-beg ub) (flymake-diagnostic-end ub)
                                             "Use `CHAT_ROOM` instead of `CHAT_ROOMS`")))
               (e2e-check (member "Use `CHAT_ROOM` instead of `CHAT_ROOMS`" offered)
                          "(replace) code actions offer: Use `CHAT_ROOM` instead of `CHAT_ROOMS`" offered))
             (e2e-check (save-excursion (goto-char (point-min))
                                        (search-forward "return env.CHAT_ROOM.getByName" nil t))
                        "(replace) applying it rewrites env.CHAT_ROOMS")
             (e2e-flush)
             (e2e-check (e2e-wait (lambda () (not (e2e-diag "unknown-binding"))))
                        "(replace) the unknown-binding diagnostic goes away")))
         ;; Fix-all: M-x dols-fix-all, then fix-on-save.
         (cl-flet ((add-fetch (path)
                     (e2e-goto "const url = new URL")
                     (end-of-line)
                     (insert (format "\n    await env.CHAT_ROOM.getByName(\"lobby\").fetch(\"%s\");" path))
                     (e2e-flush)
                     (e2e-check (e2e-wait (lambda () (e2e-diag "relative-stub-fetch-url")))
                                (format "(replace) relative-stub-fetch-url on an added stub.fetch(\"%s\")" path)
                                (e2e-codes)))
                   (has (text) (save-excursion (goto-char (point-min)) (search-forward text nil t))))
           (add-fetch "/members")
           (call-interactively #'dols-fix-all)
           (e2e-check (has "fetch(\"https://do/members\")") "(replace) M-x dols-fix-all makes it absolute")
           (e2e-flush)
           (e2e-wait (lambda () (not (e2e-diag "relative-stub-fetch-url"))))
           (add-fetch "/history")
           (setq dols-fix-on-save t)
           (save-buffer)
           (e2e-check (and (has "fetch(\"https://do/history\")")
                           (with-temp-buffer
                             (insert-file-contents (expand-file-name "src/index.ts" demo))
                             (has "fetch(\"https://do/history\")")))
                      "(replace) with dols-fix-on-save, saving makes it absolute (buffer and file)")
           (setq dols-fix-on-save nil)
           (e2e-check (e2e-wait (lambda () (not (e2e-diag "relative-stub-fetch-url"))))
                      "(replace) relative-stub-fetch-url goes away"))
         ;; Type `env.' on a new line in the fetch handler, then complete.
         (e2e-goto "const url = new URL")
         (end-of-line)
         (insert "\n    env.")
         (e2e-flush)
         (let ((cands (e2e-completions)))
           (e2e-check (member "CHAT_ROOM" cands) "(replace) completion after `env.' offers CHAT_ROOM" cands)
           (e2e-log "     candidates: %s" cands))))
      )))

(let ((code
       (condition-case err
           (progn (e2e-run) (if e2e-failures 1 0))
         (error (e2e-log "ERROR %S" err)
                (dolist (b (buffer-list))
                  (when (string-match-p "EGLOT.*events\\|stderr" (buffer-name b))
                    (with-current-buffer b
                      (e2e-log "--- tail of %s\n%s" (buffer-name b)
                               (buffer-substring-no-properties (max (point-min) (- (point-max) 3000))
                                                               (point-max))))))
                2))))
  (when e2e-failures
    (e2e-log "%d check(s) failed: %s" (length e2e-failures)
             (string-join (reverse e2e-failures) "; ")))
  ;; DOLS_E2E_EVENTS=file saves Eglot's JSON-RPC log for debugging.
  (when (getenv "DOLS_E2E_EVENTS")
    (dolist (b (buffer-list))
      (when (string-match-p "EGLOT.*events" (buffer-name b))
        (with-current-buffer b (write-region nil nil (getenv "DOLS_E2E_EVENTS"))))))
  (ignore-errors (dolist (s (hash-table-values eglot--servers-by-project))
                   (dolist (srv s) (eglot-shutdown srv))))
  (e2e-log "done, exit %d" code)
  (kill-emacs code))
