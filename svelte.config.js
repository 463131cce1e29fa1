import adapter from '@sveltejs/adapter-node';
import { vitePreprocess } from '@sveltejs/vite-plugin-svelte';

/** @type {import('@sveltejs/kit').Config} */
const config = {
  preprocess: vitePreprocess(),
  kit: {
    adapter: adapter({ out: 'build', precompress: true }),
    alias: { $shared: 'server/shared' },
    // The page's Content-Security-Policy, sent as a header with the hash of SvelteKit's inline
    // bootstrap script: no other inline script and no script from anywhere else can run, and no
    // other site may frame the app. Styles allow inline: CodeMirror injects its own, and Markdown
    // tables align columns with style attributes (neither can run code).
    csp: {
      mode: 'hash',
      directives: {
        'default-src': ['self'],
        'script-src': ['self'],
        'style-src': ['self', 'unsafe-inline'],
        'img-src': ['self', 'data:'],
        'font-src': ['self'],
        'connect-src': ['self'],
        'object-src': ['none'],
        'base-uri': ['self'],
        'form-action': ['self'],
        'frame-ancestors': ['none'],
      },
    },
    // Server, tests and benchmarks are type-checked with the app.
    typescript: {
      config: (tsconfig) => {
        tsconfig.include.push('../server/**/*.ts', '../bench/**/*.ts', '../tests/**/*.ts', '../*.config.ts');
      },
    },
  },
};

export default config;
