import { expect } from 'vitest';
import type { JsonResponse, TestClient, TestServer } from './server.ts';

/** A script holding an API token: sends it as a bearer header, no cookie, no Origin (like curl). */
export class TokenClient {
  readonly baseUrl: string;
  readonly token: string;

  constructor(baseUrl: string, token: string) {
    this.baseUrl = baseUrl;
    this.token = token;
  }

  async request<T = any>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<JsonResponse<T>> {
    const response = await fetch(this.baseUrl + path, {
      method,
      headers: {
        authorization: `Bearer ${this.token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...headers,
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    // Exports (CSV, Markdown) are text; everything else is JSON.
    const json = (response.headers.get('content-type') ?? '').includes('json');
    return { status: response.status, headers: response.headers, body: !text ? null : json ? JSON.parse(text) : text };
  }

  get = <T = any>(path: string) => this.request<T>('GET', path);
  post = <T = any>(path: string, body?: unknown) => this.request<T>('POST', path, body ?? {});
}

/**
 * Creates an API token through the API with a signed-in client: a personal
 * token by default, a service token (admin only) with `service: true`.
 */
export async function createApiToken(
  server: TestServer,
  owner: TestClient,
  body: { name?: string; scopes: string[]; expiresAt?: string | null },
  options: { service?: boolean } = {},
) {
  const path = options.service ? '/api/admin/tokens' : '/api/me/tokens';
  const response = await owner.post(path, { name: 'test token', ...body });
  expect(response.status, JSON.stringify(response.body)).toBe(201);
  const { token, apiToken } = response.body as { token: string; apiToken: { id: string; prefix: string; user: { id: string; displayName: string }; [key: string]: any } };
  return { token, apiToken, client: new TokenClient(server.url, token) };
}
