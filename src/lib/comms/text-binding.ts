/**
 * Binds a <textarea> to a Y.Text: local typing becomes the minimal Y.Text
 * edit (so a co-editor's changes elsewhere survive), remote changes replace
 * the textarea's value with the caret moved along with the text around it.
 */
import type * as Y from 'yjs';
import { applyTextEdit, shiftIndex } from '$shared/war-room-doc';

export function bindText(node: HTMLTextAreaElement, text: Y.Text) {
  let bound = text;
  const origin = { binding: node };

  const onInput = () => {
    const from = bound.toString();
    const to = node.value;
    if (bound.doc) bound.doc.transact(() => applyTextEdit(bound, from, to), origin);
    else applyTextEdit(bound, from, to);
  };
  const onChange = (event: Y.YTextEvent, transaction: Y.Transaction) => {
    if (transaction.origin === origin) return;
    const focused = document.activeElement === node;
    const [start, end] = [node.selectionStart, node.selectionEnd];
    node.value = bound.toString();
    if (focused) node.setSelectionRange(shiftIndex(start, event.delta), shiftIndex(end, event.delta));
  };

  const attach = (next: Y.Text) => {
    bound = next;
    node.value = bound.toString();
    bound.observe(onChange);
  };
  node.addEventListener('input', onInput);
  attach(text);

  return {
    update(next: Y.Text) {
      if (next === bound) return;
      bound.unobserve(onChange);
      attach(next);
    },
    destroy() {
      node.removeEventListener('input', onInput);
      bound.unobserve(onChange);
    },
  };
}
