/**
 * The look of the API reference page at /docs: swagger-ui (already the document's renderer, kept by
 * fastify), with Zupy's name, mark and the admin panel's colours instead of the stock logo. Every
 * file is served by the page itself, so the strict CSP of `staticCSP` holds (no inline code).
 */

/** Zupy's mark: a "Z" on the accent colour of the panel. */
const LOGO_SVG = `<svg xmlns="http://www.w3.org/2000/svg" width="132" height="32" viewBox="0 0 132 32" role="img" aria-label="Zupy API">
<rect width="32" height="32" rx="7" fill="#0b63ce"/>
<path d="M9 9h14v3.2L13.6 20H23v3H9v-3.2L18.4 12H9z" fill="#fff"/>
<text x="42" y="22" font-family="system-ui,-apple-system,Segoe UI,Roboto,sans-serif" font-size="17" font-weight="700" fill="#1b1f24">Zupy API</text>
</svg>`;

const FAVICON_SVG = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="7" fill="#0b63ce"/><path d="M9 9h14v3.2L13.6 20H23v3H9v-3.2L18.4 12H9z" fill="#fff"/></svg>`;

/** The panel's palette (packages/admin/src/styles.css) over swagger-ui's own classes. */
const THEME_CSS = `
body { background: #f6f7f9; color: #1b1f24; font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
.swagger-ui .topbar { background: #ffffff; border-bottom: 1px solid #d5d9df; padding: 8px 0; }
.swagger-ui .topbar .download-url-wrapper { display: none; }
.swagger-ui .topbar-wrapper img, .swagger-ui .topbar-wrapper svg { height: 32px; }
.swagger-ui .info .title, .swagger-ui .opblock-tag { color: #1b1f24; }
.swagger-ui a, .swagger-ui .info a { color: #0b63ce; }
.swagger-ui .btn.authorize { color: #0b63ce; border-color: #0b63ce; }
.swagger-ui .btn.authorize svg { fill: #0b63ce; }
.swagger-ui .opblock.opblock-get .opblock-summary-method { background: #0b63ce; }
.swagger-ui .opblock.opblock-post .opblock-summary-method { background: #1a7f37; }
.swagger-ui .opblock.opblock-delete .opblock-summary-method { background: #c0262d; }
`;

/**
 * The one inline `<style>` element swagger-ui 5's React tree inserts, allowed by its hash (Chromium
 * names it in the CSP report; the browser test in openapi-document.test.ts fails if a new
 * swagger-ui version brings another). Everything else stays `'self'`.
 */
const SWAGGER_UI_INLINE_STYLE = "'sha256-RL3ie0nH+Lzz2YNqQN83mnU0J1ot4QL7b99vMdIX99w='";

/** The options of `@fastify/swagger-ui` that give the page its name and look. */
export function referencePageTheme() {
  return {
    transformStaticCSP: (header: string) =>
      header.replace("style-src 'self' https:", `style-src 'self' https: ${SWAGGER_UI_INLINE_STYLE}`),
    logo: { type: 'image/svg+xml', content: Buffer.from(LOGO_SVG), href: '/docs', target: '_self' as const },
    theme: {
      title: 'Zupy API reference',
      css: [{ filename: 'zupy-theme.css', content: THEME_CSS }],
      favicon: [
        {
          filename: 'favicon.svg',
          rel: 'icon',
          sizes: 'any',
          type: 'image/svg+xml',
          content: Buffer.from(FAVICON_SVG),
        },
      ],
    },
  };
}
