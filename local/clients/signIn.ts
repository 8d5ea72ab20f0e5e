/**
 * Signs a user in at the local front door the way a browser does: load the local sign-in page,
 * submit its form, keep the session cookie. The form's action and field names are read from the
 * page itself rather than assumed.
 */
export async function signIn(api: string, userName: string): Promise<string> {
  const loginUrl = `${api}/.auth/login/aad?post_login_redirect_uri=${encodeURIComponent('/.auth/login/done')}`;
  const page = await (await fetch(loginUrl)).text();
  const action = /<form[^>]*action="([^"]*)"/i.exec(page)?.[1] ?? loginUrl;
  const fields = new URLSearchParams();
  for (const match of page.matchAll(/<input[^>]*>/gi)) {
    const name = /name="([^"]+)"/i.exec(match[0])?.[1];
    if (name === undefined) continue;
    const type = /type="([^"]+)"/i.exec(match[0])?.[1] ?? 'text';
    const value = /value="([^"]*)"/i.exec(match[0])?.[1] ?? '';
    fields.set(name, type === 'hidden' ? value.replace(/&amp;/g, '&') : userName);
  }
  const response = await fetch(new URL(action.replace(/&amp;/g, '&'), loginUrl), {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: fields,
    redirect: 'manual',
  });
  const cookie = response.headers
    .getSetCookie()
    .map((line) => line.split(';')[0])
    .join('; ');
  if (cookie.length === 0)
    throw new Error(`Sign-in as ${userName} set no cookie (status ${response.status}).`);
  return cookie;
}
