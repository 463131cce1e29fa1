import { expect } from 'vitest';
import type { Person } from './incidents.ts';

/** A small scenario whose secret parts are easy to look for in anything the team can read. */
export const SECRET_ANSWER = 'The receipts worker opens twenty connections per pod (SECRET-ANSWER-7f3)';
export const FACILITATOR_NOTE = 'Release the graph if stuck (SECRET-NOTE-91c)';
export const HIDDEN_INJECT = 'Unreleased twist SECRET-INJECT-5d2';

export function scenarioText(over: { title?: string; services?: string; extraInjects?: string } = {}): string {
  return `---
title: ${over.title ?? 'Checkout pool drill'}
services: [${over.services ?? 'checkout'}]
severity: 2
impact_began: 4m
runbook: checkout-db-pool
hypothesis: The deploy exhausted the database connection pool
match: [connection pool]
---

# Briefing
Checkout is slow since 14:02.

# Answer
${SECRET_ANSWER}

# Facilitator notes
${FACILITATOR_NOTE}

# Injects

## +0m Alert: CheckoutLatencyHigh
labels: severity=critical, service=checkout
summary: p99 above 2 s

## +10m Message from Support: Customers cannot pay
Dana: "What do we tell them?"

## Graph: Database connections
checkout-receipts 240 of 300

## +40m Twist: ${HIDDEN_INJECT}
${over.extraInjects ?? ''}`;
}

export async function createScenario(person: Person, text = scenarioText()) {
  const response = await person.client.post('/api/drills/scenarios', { body: text });
  expect(response.status, JSON.stringify(response.body)).toBe(201);
  return response.body.scenario as { id: string; slug: string; version: number; [key: string]: any };
}

/** Starts a drill as `facilitator` with `responders`, the first one in command. Returns the console. */
export async function startDrill(facilitator: Person, scenarioId: string, responders: Person[], extra: Record<string, unknown> = {}) {
  const response = await facilitator.client.post('/api/drills/runs', {
    scenarioId,
    responderIds: responders.map((r) => r.user.id),
    commanderId: responders[0].user.id,
    ...extra,
  });
  expect(response.status, JSON.stringify(response.body)).toBe(201);
  return response.body.drill as { id: string; incident: { ref: string; number: number }; injects: any[]; [key: string]: any };
}
