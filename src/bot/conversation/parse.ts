// Reading what the customer typed: commands, numbered options and yes/no, forgiving of accents,
// case, extra spaces, punctuation, repeated letters ("siim") and small typos ("cosultar"), and
// finding commands inside a sentence ("quero falar com atendente por favor").
import { distance } from 'fastest-levenshtein';

export type Command = 'menu' | 'back' | 'cancel' | 'human' | 'retry';

/** Lower case, no accents, single spaces, no surrounding punctuation or emoji. */
export function normalize(text: string): string {
  return text
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/\s+/g, ' ')
    .replace(/^[^\p{L}\p{N}]+|[^\p{L}\p{N}]+$/gu, '')
    .trim();
}

/** The words of a normalised text, punctuation dropped. */
export function wordsOf(normalized: string): string[] {
  return normalized.split(/[^\p{L}\p{N}]+/u).filter(Boolean);
}

/** "siiim" → "sim", "okk" → "ok": repeated letters are the commonest phone typo. */
function squeeze(word: string): string {
  return word.replace(/(\p{L})\1+/gu, '$1');
}

/** Edits tolerated for a word or phrase of this length: none below 5 letters, 2 from 8. */
function tolerance(length: number): number {
  if (length >= 8) return 2;
  if (length >= 5) return 1;
  return 0;
}

/** Equal after squeezing repeats, or within a small edit distance for longer words. */
export function similar(input: string, target: string): boolean {
  if (input === target) return true;
  const a = squeeze(input);
  const b = squeeze(target);
  if (a === b) return true;
  const allowed = tolerance(target.length);
  return allowed > 0 && Math.abs(a.length - b.length) <= allowed && distance(a, b) <= allowed;
}

/** Whole-message forms of each command (compared with `similar`). */
const COMMAND_PHRASES: Record<Command, readonly string[]> = {
  menu: [
    'menu',
    'menu principal',
    'inicio',
    'comecar',
    'recomecar',
    'reiniciar',
    'comecar de novo',
    'voltar ao inicio',
  ],
  back: ['voltar', 'volta', 'anterior', 'voltar etapa', 'quero voltar', 'voltar uma etapa'],
  cancel: [
    'cancelar',
    'cancela',
    'cancelado',
    'cancela tudo',
    'cancelar tudo',
    'sair',
    'parar',
    'encerrar',
    'desisto',
    'desistir',
  ],
  human: [
    'atendente',
    'falar com atendente',
    'falar com um atendente',
    'quero falar com atendente',
    'quero falar com um atendente',
    'humano',
    'pessoa',
    'falar com uma pessoa',
    'falar com alguem',
    'atendimento humano',
    'atendimento',
  ],
  retry: [
    'tentar de novo',
    'tentar novamente',
    'tenta de novo',
    'tente de novo',
    'tente novamente',
    'de novo',
  ],
};

/** Words that make a short sentence a command ("quero falar com atendente por favor"). */
const HUMAN_WORDS = [
  'atendente',
  'atendentes',
  'humano',
  'humana',
  'operador',
  'operadora',
  'vendedor',
  'vendedora',
];
const CANCEL_WORDS = [
  'cancelar',
  'cancela',
  'cancele',
  'cancelo',
  'desisto',
  'desistir',
  'encerrar',
];
/** A sentence longer than this is a message, not a command. */
const MAX_SENTENCE_WORDS = 12;

/**
 * The command a message asks for, if any: the whole message (typos tolerated), or a short
 * sentence without digits (addresses and phones have digits) containing a command word.
 */
export function parseCommand(text: string): Command | undefined {
  const n = normalize(text);
  if (!n) return undefined;
  for (const [command, phrases] of Object.entries(COMMAND_PHRASES) as Array<
    [Command, readonly string[]]
  >) {
    if (phrases.some((p) => similar(n, p))) return command;
  }
  if (/\d/.test(n)) return undefined;
  const words = wordsOf(n);
  if (words.length > MAX_SENTENCE_WORDS) return undefined;
  const has = (list: readonly string[]) => words.some((w) => list.some((t) => similar(w, t)));
  if (has(HUMAN_WORDS)) return 'human';
  if (words.includes('pessoa') && words.some((w) => similar(w, 'falar'))) return 'human';
  if (/\bfalar com (alguem|gente)\b/.test(n)) return 'human';
  if (has(CANCEL_WORDS)) return 'cancel';
  if (words.includes('menu') || (has(['voltar', 'volta']) && words.includes('inicio'))) {
    return 'menu';
  }
  if (
    /^(eu )?(quero |pode |posso )?(voltar|volta)( uma etapa| atras| pra tras| para tras)?( por favor)?$/.test(
      n,
    )
  ) {
    return 'back';
  }
  if (words.length <= 5 && (n.includes('tentar de novo') || n.includes('tente de novo'))) {
    return 'retry';
  }
  return undefined;
}

const OPTION_FILLER = new Set(['a', 'o', 'e', 'de', 'do', 'da', 'um', 'uma', 'com', 'nao', 'sim']);

/**
 * "1", "1.", "1)", "opção 1", "a 1" → 1. Also the option's label as a button sends it, a label
 * with a typo, or a distinctive word of exactly one label ("consultar").
 */
export function parseOption(text: string, labels: readonly string[] = []): number | undefined {
  const n = normalize(text);
  const numbered = /^(?:(?:opcao|opc|op|numero|n|a|o)\s*)?(\d{1,2})(?:\s*[-.)ºª]?)?$/.exec(n);
  if (numbered?.[1]) {
    const value = Number(numbered[1]);
    return value >= 1 && (labels.length === 0 || value <= labels.length) ? value : undefined;
  }
  if (!n || labels.length === 0) return undefined;
  const normalized = labels.map((l) => normalize(l));
  const exact = normalized.findIndex((l) => l === n || similar(n, l));
  if (exact >= 0) return exact + 1;
  // A word that belongs to one label only: "consultar", "reservar", "telefone".
  const words = wordsOf(n).filter((w) => w.length >= 4 && !OPTION_FILLER.has(w));
  if (words.length === 0 || words.length > 6) return undefined;
  const hits = new Set<number>();
  normalized.forEach((label, i) => {
    const own = wordsOf(label).filter((w) => w.length >= 4 && !OPTION_FILLER.has(w));
    if (words.some((w) => own.some((o) => similar(w, o)))) hits.add(i + 1);
  });
  return hits.size === 1 ? [...hits][0] : undefined;
}

const YES = [
  'sim',
  's',
  'ss',
  'si',
  'ok',
  'okay',
  'claro',
  'isso',
  'isso mesmo',
  'pode',
  'pode ser',
  'confirmo',
  'confirmar',
  'confirma',
  'certo',
  'correto',
  'esta certo',
  'ta certo',
  'quero',
  'sim quero',
  'yes',
  'positivo',
  'beleza',
  'blz',
  'uhum',
  'aham',
  'com certeza',
  'exato',
  'perfeito',
  'bora',
  'vamos',
  'fechado',
];
const NO = [
  'nao',
  'n',
  'nn',
  'naum',
  'nao quero',
  'agora nao',
  'errado',
  'esta errado',
  'incorreto',
  'negativo',
  'no',
  'nop',
  'nops',
  'nope',
  'nem',
  'jamais',
  'de jeito nenhum',
  'nao obrigado',
];

/** Yes/no answers; on a yes/no step option 1 is yes and 2 is no. */
export function parseYesNo(text: string): boolean | undefined {
  const raw = text.trim();
  if (/^(👍|✅|👌|🙏|😊|😀|🙂)+$/u.test(raw)) return true;
  if (/^(👎|❌|🚫)+$/u.test(raw)) return false;
  const n = normalize(text);
  if (!n) return undefined;
  if (YES.some((w) => similar(n, w))) return true;
  if (NO.some((w) => similar(n, w))) return false;
  const option = /^(\d)$/.exec(n)?.[1];
  if (option === '1') return true;
  if (option === '2') return false;
  // "sim, quero", "não, obrigado", "siim pode": the first word decides.
  const first = wordsOf(n)[0] ?? '';
  if (['sim', 'ss', 'claro', 'pode', 'quero', 'ok', 'isso'].some((w) => similar(first, w))) {
    return true;
  }
  if (['nao', 'naum', 'nn'].some((w) => similar(first, w))) return false;
  return undefined;
}

export function isGreeting(text: string): boolean {
  return /^(oi+e?|ola+|oie|eai|e ai|bom dia|boa tarde|boa noite|hey|hello|hi|opa|alo)( .*)?$/.test(
    normalize(text),
  );
}

/** "pular", "não tenho", "sem e-mail"...: the customer prefers not to give an e-mail. */
export function isSkip(text: string): boolean {
  const n = normalize(text);
  if (
    ['pular', 'pula', 'pule', 'nao tenho', 'nao', 'n', 'nenhum', 'passar', 'prefiro nao'].some(
      (w) => similar(n, w),
    )
  ) {
    return true;
  }
  return /\b(nao tenho|sem e ?-?mail|nao uso|nao possuo|prefiro nao|pular)\b/.test(n);
}
