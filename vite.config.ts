import { sveltekit } from '@sveltejs/kit/vite';
import { defineConfig } from 'vite';
import { devApi } from './server/dev/vite-plugin.ts';

export default defineConfig({
  plugins: [devApi(), sveltekit()],
});
