import type { ServerResponse } from 'node:http';

/** The front door's own HTML pages: plain forms, every value escaped. */
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

const STYLE = `body{font:16px/1.5 system-ui,sans-serif;background:#f4f5f7;margin:0;display:grid;place-items:center;min-height:100vh}
main{background:#fff;padding:2rem;border-radius:12px;box-shadow:0 2px 12px #0002;max-width:22rem;width:90%}
.badge{display:inline-block;background:#fff4ce;color:#6b4e00;border-radius:6px;padding:.15rem .5rem;font-size:.8rem}
label{display:block;margin:1rem 0 .3rem}input{width:100%;box-sizing:border-box;padding:.6rem;font-size:1rem;border:1px solid #999;border-radius:6px}
button{margin-top:1rem;width:100%;padding:.7rem;font-size:1rem;border:0;border-radius:6px;background:#2557d6;color:#fff;cursor:pointer}
.error{color:#a00}:root{color-scheme:light dark}
@media (prefers-color-scheme:dark){body{background:#15171c;color:#e6e8ee}main{background:#22252d;box-shadow:none}input{background:#15171c;color:#e6e8ee;border-color:#666}.badge{background:#4a3b00;color:#ffe9a6}.error{color:#ff8080}button{background:#3d6fe8}}`;

export function signInPage(provider: string, redirect: string, error?: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Sign in (local)</title><style>${STYLE}</style></head>
<body><main><span class="badge">Local development sign-in</span><h1>Sign in</h1>
<p>This stands in for App Service Authentication (${escapeHtml(provider)}). Type any name: no password, nothing leaves this machine.</p>
${error ? `<p role="alert" class="error">${escapeHtml(error)}</p>` : ''}
<form method="post" action="/.auth/login/${encodeURIComponent(provider)}">
<input type="hidden" name="post_login_redirect_uri" value="${escapeHtml(redirect)}">
<label for="name">Your name</label><input id="name" name="name" autocomplete="username" required maxlength="64" autofocus>
<button type="submit">Sign in</button></form></main></body></html>`;
}

export function messagePage(title: string, text: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title><style>${STYLE}</style></head><body><main><span class="badge">Local development sign-in</span><h1>${escapeHtml(title)}</h1><p>${escapeHtml(text)}</p></main></body></html>`;
}

/** An HTML page of the front door: never cached, never framed, under its own CSP. */
export function sendHtml(res: ServerResponse, status: number, html: string, csp: string): void {
  res
    .writeHead(status, {
      'Content-Type': 'text/html; charset=utf-8',
      'Cache-Control': 'no-store',
      'Content-Security-Policy': csp,
      'X-Content-Type-Options': 'nosniff',
      'X-Frame-Options': 'DENY',
    })
    .end(html);
}
