// Runs the scripted conversation set through the real engine, on the real viability,
// reservation and prospect services over the demo network, with the simulated geocoder.
import { chatSalesPort } from '../../src/bot/chat-system.js';
import { ConversationEngine } from '../../src/bot/conversation/engine.js';
import { DatabaseConversationStore } from '../../src/bot/conversation/db-store.js';
import type { InboundMessage, OutboundMessage } from '../../src/bot/conversation/messages.js';
import { createTexts } from '../../src/bot/conversation/texts.js';
import type { AppContext } from '../../src/context.js';
import { createLogger } from '../../src/logger.js';
import { RecordingFindMe, RecordingHandoff, TestClock, textOf } from '../bot/support.js';
import type { End, Script } from './scripts.js';

export interface Outcome {
  name: string;
  expected: End;
  /** What the conversation actually reached; `dead-end` when none of the honest ends. */
  end: End | 'dead-end';
  /** Customer messages sent (time passing is not one). */
  messages: number;
  /** Problems seen on the way: an unanswered message, the same reply three times in a row. */
  problems: string[];
  transcript: string[];
}

export async function runScripts(ctx: AppContext, scripts: Script[]): Promise<Outcome[]> {
  const clock = new TestClock(new Date());
  const handoff = new RecordingHandoff();
  const texts = createTexts({ providerName: 'Fibra Teste' });
  const engine = new ConversationEngine({
    store: new DatabaseConversationStore(ctx.db, 72 * 3600, clock.now),
    sales: chatSalesPort(ctx),
    findme: new RecordingFindMe(clock.now),
    geocoder: ctx.geocoder,
    handoff,
    texts,
    clock: clock.now,
    idleTimeoutMs: 30 * 60_000,
    logger: createLogger('silent'),
  });
  const chats = new Map<string, string>();
  const outcomes: Outcome[] = [];
  let seq = 0;
  for (const [i, script] of scripts.entries()) {
    const channel = script.channel ?? 'telegram';
    const chatId = (script.sameChatAs && chats.get(script.sameChatAs)) || `script-${i}`;
    chats.set(script.name, chatId);
    const transcript: string[] = [];
    const problems: string[] = [];
    const seen: string[] = [];
    let messages = 0;
    for (const step of script.steps) {
      if (typeof step === 'object' && 'idle' in step) {
        clock.advance(step.idle);
        continue;
      }
      messages++;
      clock.advance(20_000);
      const base = {
        channel,
        chatId,
        messageId: `m${++seq}`,
        sentAt: clock.now(),
        senderName: script.senderName,
        senderPhone: script.senderPhone,
      };
      const message: InboundMessage =
        typeof step === 'string'
          ? { ...base, kind: 'text', text: step }
          : 'loc' in step
            ? {
                ...base,
                kind: 'location',
                point: { lat: step.loc[0], lng: step.loc[1] },
                address: step.address,
              }
            : 'findme' in step
              ? {
                  ...base,
                  kind: 'findme-location',
                  point: { lat: step.findme[0], lng: step.findme[1] },
                  linkId: `l${seq}`,
                }
              : 'media' in step
                ? { ...base, kind: 'unsupported', what: step.media }
                : { ...base, kind: 'contact', phone: step.contact };
      const replies: OutboundMessage[] = await engine.handle(message);
      const shown = textOf(replies);
      transcript.push(`> ${describe(step)}`, ...shown.split('\n').map((l) => `  ${l}`));
      const quiet = handoff.calls.some((c) => c.chatId === chatId);
      if (replies.length === 0 && !quiet) problems.push(`no reply to ${describe(step)}`);
      seen.push(shown);
      const last3 = seen.slice(-3);
      if (last3.length === 3 && last3.every((r) => r === last3[0]) && !quiet) {
        problems.push(`the same reply three times: ${shown.slice(0, 60)}`);
      }
    }
    const state = await engine['o'].store.read({ channel, chatId });
    const all = transcript.join('\n');
    let end: Outcome['end'] = 'dead-end';
    if (handoff.calls.some((c) => c.chatId === chatId)) end = 'handoff';
    else if (state?.reservation) end = 'reservation';
    else if (state?.prospectId) end = 'prospect';
    else if (
      /Tudo bem, encerrei|Se mudar de ideia|Quando quiser consultar de novo/.test(
        lastReply(transcript),
      )
    ) {
      end = /ainda não temos fibra|ainda não atende/.test(all) ? 'not-served' : 'declined';
    } else if (state?.step === 'done' && state.answers.coverage?.outOfArea) end = 'not-served';
    outcomes.push({ name: script.name, expected: script.end, end, messages, problems, transcript });
  }
  return outcomes;
}

function lastReply(transcript: string[]): string {
  const at = transcript.map((l) => l.startsWith('>')).lastIndexOf(true);
  return transcript.slice(at + 1).join('\n');
}

function describe(step: Script['steps'][number]): string {
  if (typeof step === 'string') return JSON.stringify(step);
  if ('loc' in step)
    return `[location ${step.loc.join(', ')}${step.address ? ` ${step.address}` : ''}]`;
  if ('findme' in step) return `[FindME ${step.findme.join(', ')}]`;
  if ('media' in step) return `[${step.media}]`;
  if ('contact' in step) return `[contact ${step.contact}]`;
  return `[${step.idle / 60_000} min later]`;
}

export function summarise(outcomes: Outcome[]): {
  total: number;
  shares: Record<string, number>;
  medianMessages: number;
  medianByEnd: Record<string, number>;
} {
  const total = outcomes.length;
  const shares: Record<string, number> = {};
  for (const o of outcomes) shares[o.end] = (shares[o.end] ?? 0) + 1;
  const median = (xs: number[]) => {
    const s = [...xs].sort((a, b) => a - b);
    const mid = Math.floor(s.length / 2);
    return s.length === 0 ? 0 : s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
  };
  const medianByEnd: Record<string, number> = {};
  for (const end of Object.keys(shares)) {
    medianByEnd[end] = median(outcomes.filter((o) => o.end === end).map((o) => o.messages));
  }
  return { total, shares, medianMessages: median(outcomes.map((o) => o.messages)), medianByEnd };
}
