// Reading what the customer typed: commands, numbered options and yes/no, forgiving of accents,
// case, extra spaces and trailing punctuation ("Menu", " VOLTAR ", "1)", "Sim!").

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

const COMMANDS: Record<Command, readonly string[]> = {
  menu: ['menu', 'menu principal', 'inicio', 'comecar', 'recomecar', 'reiniciar'],
  back: ['voltar', 'volta', 'anterior', 'voltar etapa'],
  cancel: ['cancelar', 'cancela', 'cancelado', 'sair', 'parar', 'encerrar'],
  human: [
    'atendente',
    'falar com atendente',
    'falar com um atendente',
    'quero falar com atendente',
    'quero falar com um atendente',
    'humano',
    'pessoa',
    'falar com uma pessoa',
    'atendimento humano',
  ],
  retry: ['tentar de novo', 'tentar novamente', 'tenta de novo', 'tente de novo', 'de novo'],
};

export function parseCommand(text: string): Command | undefined {
  const n = normalize(text);
  for (const [command, words] of Object.entries(COMMANDS) as Array<[Command, readonly string[]]>) {
    if (words.includes(n)) return command;
  }
  return undefined;
}

/** "1", "1.", "1)", "1 -", "opção 1" → 1. Also the option's own label, as a button would send it. */
export function parseOption(text: string, labels: readonly string[] = []): number | undefined {
  const n = normalize(text);
  const numbered = /^(?:opcao\s*)?(\d{1,2})$/.exec(n);
  if (numbered?.[1]) {
    const value = Number(numbered[1]);
    return value >= 1 && (labels.length === 0 || value <= labels.length) ? value : undefined;
  }
  const index = labels.findIndex((label) => normalize(label) === n);
  return index >= 0 ? index + 1 : undefined;
}

const YES = new Set([
  'sim',
  's',
  'ss',
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
  'quero',
  'sim quero',
  'yes',
  'positivo',
  'beleza',
  'blz',
  'uhum',
  'aham',
]);
const NO = new Set([
  'nao',
  'n',
  'nao quero',
  'agora nao',
  'errado',
  'esta errado',
  'incorreto',
  'negativo',
  'no',
  'nops',
  'nem',
]);

/** Yes/no answers; on a yes/no step option 1 is yes and 2 is no. */
export function parseYesNo(text: string): boolean | undefined {
  const raw = text.trim();
  if (/^(👍|✅|👌)+$/u.test(raw)) return true;
  if (/^(👎|❌)+$/u.test(raw)) return false;
  const n = normalize(text);
  if (YES.has(n)) return true;
  if (NO.has(n)) return false;
  const option = parseOption(text, ['sim', 'nao']);
  if (option === 1) return true;
  if (option === 2) return false;
  // "sim, quero", "não, obrigado": the first word decides.
  const first = n.split(/[\s,;.!]+/)[0];
  if (first === 'sim') return true;
  if (first === 'nao') return false;
  return undefined;
}

export function isGreeting(text: string): boolean {
  return /^(oi+|ola|oie|eai|e ai|bom dia|boa tarde|boa noite|hey|hello|hi|opa)( .*)?$/.test(
    normalize(text),
  );
}
