/**
 * Who sees what of a drill. The team works an ordinary war room; the script
 * (the hidden answer, the injects not yet released, the facilitator's notes)
 * and the facilitator's observations are the facilitator's alone while the
 * drill runs. At the end the debrief reveals the answer and the observations
 * to everyone who may see the drill incident: that is what a debrief is for.
 * Pure rules; a refusal is always "not found", so a responder probing the
 * console cannot tell a running drill from a missing one.
 */

export interface DrillViewer {
  id: string;
  isAdmin: boolean;
}

export interface RunForAccess {
  facilitator: { id: string };
  endedAt: Date | null;
}

export const isFacilitator = (run: RunForAccess, viewer: DrillViewer) => run.facilitator.id === viewer.id;

/** The console: script, answer, unreleased injects, observations, controls. */
export const mayRunConsole = (run: RunForAccess, viewer: DrillViewer) => isFacilitator(run, viewer);

/** The debrief, which reveals the answer and the observations: the facilitator any time, the team once it ended. */
export const mayReadDebrief = (run: RunForAccess, viewer: DrillViewer, seesIncident: boolean) => isFacilitator(run, viewer) || (run.endedAt !== null && seesIncident);

/** Findings become action items with owners and due dates: the facilitator writes them, or an admin after the fact. */
export const mayWriteFindings = (run: RunForAccess, viewer: DrillViewer) => isFacilitator(run, viewer) || viewer.isAdmin;
