/**
 * The HAProxy configuration for Warroom processes behind one address: plain
 * round robin (no sticky sessions), websockets and HTTP on one frontend,
 * health checks on /readyz. The README shows the same configuration.
 */
export interface Backend {
  name: string;
  host: string;
  port: number;
}

export function haproxyConfig(options: { bind: string; backends: Backend[]; statsPort?: number }): string {
  const servers = options.backends.map((b) => `  server ${b.name} ${b.host}:${b.port} check`).join('\n');
  return `global
  maxconn 4000

defaults
  mode http
  timeout connect 2s
  timeout client 60s
  timeout server 60s
  # A websocket is a tunnel once upgraded: idle war rooms stay open (the server pings every 30 s).
  timeout tunnel 1h
  # A process that is gone refuses the connection: try another one at once instead of failing the client.
  option redispatch 1
  retries 3

frontend warroom
  bind ${options.bind}
  option forwardfor
  default_backend warroom

backend warroom
  balance roundrobin
  option httpchk GET /readyz
  http-check expect status 200
  # Down after two failed checks half a second apart; back after one good one.
  default-server inter 500ms fall 2 rise 1
${servers}
${options.statsPort ? `\nlisten stats\n  bind 127.0.0.1:${options.statsPort}\n  stats enable\n  stats uri /\n` : ''}`;
}
