/**
 * One period's figures as /api/metrics answers them: computed by
 * server/metrics, drawn by the /metrics page. The shapes are the API's schemas
 * (server/shared/api/metrics.ts), read as types.
 */
import type { z } from 'zod';
import type { ActionItemPointSchema, DurationPointSchema, KindSplitSchema, RatioPointSchema } from './api/metrics.ts';

export const PERIODS = ['week', 'month', 'quarter'] as const;
export type Period = (typeof PERIODS)[number];

/** Median and p90 over the incidents with this duration (`measured`). */
export type DurationPoint = z.infer<typeof DurationPointSchema>;
/** `measured` is the rate's denominator: incidents with their own published postmortem naming a factor. */
export type RatioPoint = z.infer<typeof RatioPointSchema>;
export type KindSplit = z.infer<typeof KindSplitSchema>;
export type ActionItemPoint = z.infer<typeof ActionItemPointSchema>;
