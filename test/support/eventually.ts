/**
 * Resolves once `check` holds, asking again every `everyMs`; rejects after `ms` naming `what`, so
 * a test that waits for something that never comes fails with a reason instead of hanging until
 * jest's timeout. The one polling helper of the suites: wait for an event where one can be
 * awaited, and prove an absence with a marker sent after, never with a sleep.
 */
export async function eventually(
  check: () => boolean | Promise<boolean>,
  what: string,
  ms = 5_000,
  everyMs = 20,
): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`Not within ${ms} ms: ${what}.`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}
