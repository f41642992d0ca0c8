// GOV.UK Frontend's body classes, set as the body opens (a file, not inline script: CSP).
document.body.className += ' js-enabled' + ('noModule' in HTMLScriptElement.prototype ? ' govuk-frontend-supported' : '')
