;;; pytrix.el --- Pytrix practice in Emacs through eglot  -*- lexical-binding: t; -*-

;; Works with Emacs 28 and later, with eglot 1.9 or later.
;;
;; 1. Install Pytrix so that the `pytrix' command exists:
;;      pipx install pytrix-practice      (or: uv tool install pytrix-practice)
;;    Both put `pytrix' in ~/.local/bin.  Emacs started from a desktop
;;    launcher often lacks ~/.local/bin on `exec-path'; this file looks
;;    there too, or set `pytrix-program' to the full path.
;; 2. Eglot: built into Emacs 29+.  On Emacs 28, `M-x package-install RET
;;    eglot RET' (GNU ELPA), or Debian/Ubuntu's `apt install elpa-eglot'.
;; 3. Load this file from your init.el:  (load "/path/to/pytrix.el")
;;
;; Eglot then starts Pytrix in every `python-mode' and `python-ts-mode'
;; buffer (set `pytrix-eglot-ensure' to nil first to start it yourself
;; with `M-x eglot').  Diagnostics show the test results; run
;; `M-x eglot-code-actions' for the next hint, run tests, submit, the
;; solution and new practice questions (`M-x eglot-code-action-quickfix'
;; lists the hint, run and submit actions only).  Eglot has no code lens
;; and no `pytrix:' documents: the code actions and the command
;; `pytrix.dashboard' (it writes DASHBOARD.md) stand in for them.

;;; Code:

(require 'cl-lib)

(defgroup pytrix nil
  "Pytrix: practise Python in Emacs."
  :group 'tools
  :prefix "pytrix-")

(defcustom pytrix-program nil
  "Full path of the `pytrix' command, or nil to find it.
When nil, `exec-path' is searched, then ~/.local/bin (where pipx and
`uv tool install' put it)."
  :type '(choice (const :tag "Find it" nil) file))

(defcustom pytrix-settings '(:debounceMs 600 :revealAfterFailures 3)
  "The `pytrix' section of the workspace configuration sent to the server.
Keys (all optional): :debounceMs (wait after typing before a run, ms),
:runOnChange and :runOnSave (t or :json-false), :revealAfterFailures
\(failed submissions before the solution unlocks), :practiceDir (folder
for new practice files, relative to the project), :testTimeout and
:runTimeout (seconds), :coaching (t or :json-false) and
:coachingDisabledRules (a vector of rule ids).  The README's Settings
section lists every key."
  :type 'plist)

(defcustom pytrix-eglot-ensure t
  "Non-nil: start eglot with Pytrix in every Python buffer."
  :type 'boolean)

(defun pytrix-find-program ()
  "The `pytrix' command to run, or signal a `user-error' saying how to get it."
  (or pytrix-program
      (executable-find "pytrix")
      (let ((local (expand-file-name "~/.local/bin/pytrix")))
        (and (file-executable-p local) local))
      (user-error
       "Pytrix: the `pytrix' command was not found on exec-path nor in ~/.local/bin; \
install it (pipx install pytrix-practice) or set `pytrix-program'")))

(defun pytrix-server-contact (&optional _interactive)
  "The eglot contact for Pytrix: the program and its arguments."
  (list (pytrix-find-program) "serve"))

(defun pytrix--with-settings (config)
  "CONFIG (a value of `eglot-workspace-configuration') with the `pytrix' section."
  (cond ((functionp config) config)     ; a function of your own: add :pytrix there
        ((consp (car-safe config))      ; alist ((SECTION . VALUE) ...)
         (cons (cons :pytrix pytrix-settings)
               (cl-remove-if (lambda (entry) (memq (car entry) '(:pytrix pytrix))) config)))
        (t (plist-put (copy-sequence config) :pytrix pytrix-settings))))

(with-eval-after-load 'eglot
  (add-to-list 'eglot-server-programs
               '((python-mode python-ts-mode) . pytrix-server-contact))
  (setq-default eglot-workspace-configuration
                (pytrix--with-settings (default-value 'eglot-workspace-configuration))))

(defun pytrix-maybe-ensure ()
  "Start eglot in this buffer when `pytrix-eglot-ensure' says so."
  (when pytrix-eglot-ensure
    (eglot-ensure)))

(add-hook 'python-mode-hook #'pytrix-maybe-ensure)
(add-hook 'python-ts-mode-hook #'pytrix-maybe-ensure)

(provide 'pytrix)
;;; pytrix.el ends here
