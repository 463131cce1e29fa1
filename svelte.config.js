import adapter from '@sveltejs/adapter-node';
import { vitePreprocess } from '@sveltejs/vite-plugin-svelte';

/** @type {import('@sveltejs/kit').Config} */
const config = {
  preprocess: vitePreprocess(),
  kit: {
    adapter: adapter({ out: 'build', precompress: true }),
    alias: { $shared: 'server/shared' },
    // Server, tests and benchmarks are type-checked with the app.
    typescript: {
      config: (tsconfig) => {
        tsconfig.include.push('../server/**/*.ts', '../bench/**/*.ts', '../tests/**/*.ts', '../*.config.ts');
      },
    },
  },
};

export default config;
