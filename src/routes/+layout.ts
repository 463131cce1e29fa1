// The UI is a client-side app talking to the Hono API: all server logic and
// the single database connection live in one place (server/).
export const ssr = false;
export const prerender = false;
