;;; pytrix.el --- Pytrix through eglot  -*- lexical-binding: t; -*-
;; Load this file (or copy the form below) into your init.el.
;; Eglot shows diagnostics and code actions (M-x eglot-code-actions);
;; it has no code lens, so run and submit through the code actions.

(with-eval-after-load 'eglot
  (add-to-list 'eglot-server-programs
               '((python-mode python-ts-mode) . ("pytrix" "serve")))
  (setq-default eglot-workspace-configuration
                '(:pytrix (:debounceMs 600 :revealAfterFailures 3))))

(add-hook 'python-mode-hook #'eglot-ensure)
(add-hook 'python-ts-mode-hook #'eglot-ensure)

(provide 'pytrix)
;;; pytrix.el ends here
