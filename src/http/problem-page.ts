/** A plain pt-BR page for a customer-facing page that cannot be shown. */
export interface ProblemPage {
  /** Shown after the title in the browser tab, e.g. "FindME". */
  site: string;
  /** Width of the text column, e.g. "30rem". */
  width: string;
  /** HTML, used as is: escape plain text with escapeHtml first. */
  titleHtml: string;
  /** One `<p>` each; HTML, used as is. */
  paragraphsHtml: string[];
}

export function renderProblemPage(page: ProblemPage): string {
  const paragraphs = page.paragraphsHtml.map((p) => `  <p>${p}</p>\n`).join('');
  return `<!doctype html>
<html lang="pt-BR">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>${page.titleHtml} · ${page.site}</title>
<style>
  body { margin: 0; font: 18px/1.5 system-ui, sans-serif; color: #1a1a1a; background: #f4f6f8; }
  main { max-width: ${page.width}; margin: 0 auto; padding: 2.5rem 1.25rem; }
  h1 { font-size: 1.5rem; margin: 0 0 .75rem; color: #0b3d75; }
  p { margin: 0 0 1rem; }
</style>
</head>
<body>
<main>
  <h1>${page.titleHtml}</h1>
${paragraphs}</main>
</body>
</html>
`;
}

export function escapeHtml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c,
  );
}
