/**
 * Blameless hints as a CodeMirror extension: runs $shared/blameless on the
 * section's Markdown a moment after typing stops and underlines what it finds,
 * with the suggestion as the underline's tooltip. Advisory only: nothing here
 * can stop an edit. The offsets of checkBlameless are offsets into the same
 * string CodeMirror holds, so they map to decorations one to one.
 */
import { StateEffect, StateField, type Extension } from '@codemirror/state';
import { Decoration, EditorView, ViewPlugin, type DecorationSet, type ViewUpdate } from '@codemirror/view';
import { checkBlameless, type BlamelessFinding } from '$shared/blameless';

const setFindings = StateEffect.define<BlamelessFinding[]>();

function decorate(findings: BlamelessFinding[], length: number): DecorationSet {
  const marks = findings
    .filter((f) => f.end <= length && f.end > f.start)
    .map((f) =>
      Decoration.mark({
        class: 'cm-blameless',
        attributes: { title: `${f.message} Consider: ${f.suggestion}`, 'data-blameless': f.kind },
      }).range(f.start, f.end),
    );
  return Decoration.set(marks, true);
}

const findingsField = StateField.define<DecorationSet>({
  create: () => Decoration.none,
  update(decorations, tr) {
    // Until the next check, existing underlines move with the text around them.
    let next = decorations.map(tr.changes);
    for (const effect of tr.effects) if (effect.is(setFindings)) next = decorate(effect.value, tr.newDoc.length);
    return next;
  },
  provide: (field) => EditorView.decorations.from(field),
});

const theme = EditorView.baseTheme({
  '.cm-blameless': { textDecoration: 'underline wavy #d97706', textDecorationSkipInk: 'none', textUnderlineOffset: '3px' },
});

/**
 * @param names participants' display names: "Priya forgot" is only a person when Priya is one
 * @param onFindings the findings of the latest check, for the list under the editor
 */
export function blamelessHints(options: { names: () => string[]; onFindings: (findings: BlamelessFinding[]) => void; delayMs?: number }): Extension {
  const delay = options.delayMs ?? 300;
  const plugin = ViewPlugin.fromClass(
    class {
      timer: ReturnType<typeof setTimeout> | null = null;
      readonly view: EditorView;
      constructor(view: EditorView) {
        this.view = view;
        this.schedule(0);
      }
      update(update: ViewUpdate) {
        if (update.docChanged) this.schedule(delay);
      }
      schedule(ms: number) {
        if (this.timer) clearTimeout(this.timer);
        this.timer = setTimeout(() => this.check(), ms);
      }
      check() {
        this.timer = null;
        const findings = checkBlameless(this.view.state.doc.toString(), { names: options.names() });
        this.view.dispatch({ effects: setFindings.of(findings) });
        options.onFindings(findings);
      }
      destroy() {
        if (this.timer) clearTimeout(this.timer);
      }
    },
  );
  return [findingsField, theme, plugin];
}
