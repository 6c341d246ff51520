/** The sandbox's pages: plain forms, one stylesheet, no script (they work under a strict CSP). */

const escapeHtml = (text: string) =>
  text.replace(
    /[&<>"']/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c] as string,
  );

export const SANDBOX_CSS = `body{font-family:system-ui,sans-serif;background:#f5f7fa;color:#1a1a2e;margin:0}
main{max-width:28rem;margin:4rem auto;background:#fff;border-radius:12px;padding:2rem;box-shadow:0 2px 12px #0002}
h1{font-size:1.4rem;margin:0 0 .5rem}.note{color:#666;font-size:.9rem}.amount{font-size:2rem;margin:1rem 0}
form{display:inline-block;margin-right:.5rem}button{font-size:1rem;padding:.6rem 1.4rem;border-radius:20px;border:0;cursor:pointer}
.approve{background:#0070ba;color:#fff}.cancel{background:#e8e8e8;color:#222}`;

export function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title><link rel="stylesheet" href="/sandbox.css"></head>
<body><main>${body}</main></body>
</html>`;
}

export function approvalPage(order: {
  id: string;
  status: string;
  amount: string;
  currency: string;
  description: string;
}) {
  const open = order.status === "CREATED" || order.status === "PAYER_ACTION_REQUIRED";
  const head = `<h1>PayPal sandbox</h1>
<p class="note">A local stand-in for PayPal checkout: no money moves and nothing about you is asked.</p>
<p>${escapeHtml(order.description)}</p>
<p class="amount" data-testid="amount">${escapeHtml(order.amount)} ${escapeHtml(order.currency)}</p>`;
  if (!open) {
    return page("PayPal sandbox", `${head}<p>This order is ${escapeHtml(order.status.toLowerCase())}.</p>`);
  }
  const token = `<input type="hidden" name="token" value="${escapeHtml(order.id)}">`;
  return page(
    "PayPal sandbox - approve payment",
    `${head}
<form method="post" action="/checkoutnow/approve">${token}<button class="approve" type="submit">Approve</button></form>
<form method="post" action="/checkoutnow/cancel">${token}<button class="cancel" type="submit">Cancel</button></form>`,
  );
}
