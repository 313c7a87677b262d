// The scripted conversation set (issue 11): realistic customers, typos, addresses, map links,
// sentences, out-of-area points, returning customers, emoji, audio and images. Each names the end
// it must reach. Points: the demo network serves a 3 km square around Maringá's centre.

export type Step =
  | string
  | { loc: [number, number]; address?: string }
  | { findme: [number, number] }
  | { media: 'audio' | 'image' | 'sticker' }
  | { contact: string }
  /** Time passes (not a message). */
  | { idle: number };

/** `declined`: the customer stopped (no, thanks / cancel) and the bot said goodbye. */
export type End = 'reservation' | 'prospect' | 'handoff' | 'not-served' | 'declined';

export interface Script {
  name: string;
  channel?: 'telegram' | 'whatsapp' | 'web';
  senderName?: string;
  senderPhone?: string;
  /** Runs after this script, on the same chat (a returning customer). */
  sameChatAs?: string;
  steps: Step[];
  end: End;
}

/** A valid CPF from a 9-digit base (check digits computed). */
export function cpf(base: number): string {
  const digits = String(base).padStart(9, '0').split('').map(Number);
  for (const length of [9, 10]) {
    let sum = 0;
    for (let i = 0; i < length; i++) sum += digits[i]! * (length + 1 - i);
    const rest = (sum * 10) % 11;
    digits.push(rest === 10 ? 0 : rest);
  }
  return digits.join('');
}

const CENTRE: [number, number] = [-23.4253, -51.9386];
const NEAR: [number, number] = [-23.4215, -51.9342];
/** About 2.5 km south of the served square: the network is close, this street is not served. */
const UNSERVED: [number, number] = [-23.452, -51.9386];
/** Another city (Londrina), the ocean, another state. */
const LONDRINA: [number, number] = [-23.3045, -51.1696];
const OCEAN: [number, number] = [-24.9, -42.5];
const SAO_PAULO: [number, number] = [-23.5505, -46.6333];

const reserveTail = (n: number, email = 'cliente@example.com'): Step[] => [
  'sim',
  'sim',
  `Cliente Teste ${String.fromCharCode(65 + (n % 26))}ereira`,
  '44 99876-5432',
  cpf(100_000_000 + n),
  email,
  'sim',
];

export const SCRIPTS: Script[] = [
  // Happy paths with a shared location.
  {
    name: 'pin, straight through',
    steps: ['oi', '1', { loc: CENTRE }, ...reserveTail(1)],
    end: 'reservation',
  },
  {
    name: 'pin with the app address, e-mail skipped',
    steps: [
      'Oi, boa tarde!',
      '1',
      { loc: NEAR, address: 'Av. Herval, 800' },
      ...reserveTail(2, 'pular'),
    ],
    end: 'reservation',
  },
  {
    name: 'WhatsApp: the chat phone offered and accepted',
    channel: 'whatsapp',
    senderName: 'Joana Prado',
    senderPhone: '5544998761234',
    steps: [
      'olá',
      '1',
      { loc: CENTRE },
      'sim',
      'sim',
      'Joana Prado',
      'sim',
      cpf(100_000_003),
      'não tenho',
      'confirmar',
    ],
    end: 'reservation',
  },
  {
    name: 'starts with a sentence about fibre',
    steps: ['quero contratar internet', { loc: NEAR }, ...reserveTail(4)],
    end: 'reservation',
  },
  {
    name: 'typos everywhere',
    steps: [
      'oii',
      'Consutlar',
      { loc: CENTRE },
      'simm',
      'siim',
      'Marcos Vinicius',
      '(44) 99811-2233',
      cpf(100_000_005),
      'marcos@example.com',
      'confirmr',
    ],
    end: 'reservation',
  },
  {
    name: 'emoji answers',
    steps: [
      'oi',
      '1',
      { loc: CENTRE },
      '👍',
      '👍',
      'Rafaela Gomes',
      '44998112244',
      cpf(100_000_006),
      'rafa@example.com',
      '✅',
    ],
    end: 'reservation',
  },
  {
    name: 'adds complement and reference to the address',
    steps: [
      'oi',
      '1',
      { loc: CENTRE, address: 'Avenida Brasil, 1500' },
      'sim',
      'sim, apto 42, em frente ao banco',
      'Helena Duarte',
      '44998113344',
      cpf(100_000_007),
      'helena@example.com',
      'sim',
    ],
    end: 'reservation',
  },
  {
    name: 'types the address instead of confirming the guess',
    steps: [
      'oi',
      '1',
      { loc: NEAR },
      'sim',
      'Rua Santos Dumont, 1200, casa 3, perto da farmácia',
      'Bruno Teixeira',
      '44998114455',
      cpf(100_000_008),
      'bruno@example.com',
      'sim',
    ],
    end: 'reservation',
  },
  {
    name: 'bad name, bad phone, bad CPF, bad e-mail, then right',
    steps: [
      'oi',
      '1',
      { loc: CENTRE },
      'sim',
      'sim',
      'Ana',
      'Ana Beatriz Lopes',
      '1234',
      '44 99815-6677',
      '111.111.111-11',
      cpf(100_000_009),
      'ana@',
      'ana@example.com',
      'sim',
    ],
    end: 'reservation',
  },
  {
    name: 'corrects the e-mail from the summary',
    steps: [
      'oi',
      '1',
      { loc: CENTRE },
      ...reserveTail(10).slice(0, 6),
      '2',
      'E-mail',
      'outro@example.com',
      'sim',
    ],
    end: 'reservation',
  },
  {
    name: 'corrects the address from the summary',
    steps: [
      'oi',
      '1',
      { loc: CENTRE },
      ...reserveTail(11).slice(0, 6),
      'corrigir',
      '5',
      'Avenida Brasil, 1450, fundos',
      'sim',
    ],
    end: 'reservation',
  },
  {
    name: 'goes back one step and carries on',
    steps: [
      'oi',
      '1',
      { loc: CENTRE },
      'sim',
      'sim',
      'Paulo Mendes',
      'voltar',
      'Paulo Mendes Filho',
      '44998117788',
      cpf(100_000_012),
      'paulo@example.com',
      'sim',
    ],
    end: 'reservation',
  },
  {
    name: 'a sticker and an audio in the middle',
    steps: [
      'oi',
      '1',
      { media: 'sticker' },
      { loc: CENTRE },
      'sim',
      { media: 'audio' },
      'sim',
      'Clara Nunes',
      '44998118899',
      cpf(100_000_013),
      'clara@example.com',
      'sim',
    ],
    end: 'reservation',
  },
  {
    name: 'a photo as the first message',
    steps: [{ media: 'image' }, '1', { loc: CENTRE }, ...reserveTail(14)],
    end: 'reservation',
  },
  {
    name: 'shares a contact card as the phone',
    steps: [
      'oi',
      '1',
      { loc: CENTRE },
      'sim',
      'sim',
      'Igor Santana',
      { contact: '+55 44 99811-0000' },
      cpf(100_000_015),
      'igor@example.com',
      'sim',
    ],
    end: 'reservation',
  },
  {
    name: 'confirms on the FindME map page',
    steps: ['oi', '1', '2', { findme: CENTRE }, ...reserveTail(16)],
    end: 'reservation',
  },
  // Typed locations.
  {
    name: 'typed coordinates',
    steps: ['oi', '1', '-23.4253, -51.9386', ...reserveTail(17)],
    end: 'reservation',
  },
  {
    name: 'typed coordinates with decimal commas',
    steps: ['oi', '1', '-23,4253 -51,9386', ...reserveTail(18)],
    end: 'reservation',
  },
  {
    name: 'coordinates as Google Maps shows them (DMS)',
    steps: ['oi', '1', '23°25\'31.1"S 51°56\'19.0"W', ...reserveTail(19)],
    end: 'reservation',
  },
  {
    name: 'Google Maps place link',
    steps: [
      'oi',
      '1',
      'https://www.google.com/maps/place/Av.+Brasil,+1500/@-23.4254,-51.9375,17z/data=!3m1!4b1!4m6!3m5!8m2!3d-23.4254!4d-51.9375',
      ...reserveTail(20),
    ],
    end: 'reservation',
  },
  {
    name: 'Google Maps ?q= link',
    steps: [
      'oi',
      '1',
      'olha aqui https://maps.google.com/?q=-23.4253,-51.9386',
      ...reserveTail(21),
    ],
    end: 'reservation',
  },
  {
    name: 'Apple Maps link',
    steps: ['oi', '1', 'https://maps.apple.com/?ll=-23.4253,-51.9386&q=Casa', ...reserveTail(22)],
    end: 'reservation',
  },
  {
    name: 'Waze link',
    steps: ['oi', '1', 'https://waze.com/ul?ll=-23.4253,-51.9386&navigate=yes', ...reserveTail(23)],
    end: 'reservation',
  },
  {
    name: 'OpenStreetMap link',
    steps: [
      'oi',
      '1',
      'https://www.openstreetmap.org/#map=18/-23.42530/-51.93860',
      ...reserveTail(24),
    ],
    end: 'reservation',
  },
  {
    name: 'geo: URI',
    steps: ['oi', '1', 'geo:-23.4253,-51.9386?z=17', ...reserveTail(25)],
    end: 'reservation',
  },
  {
    name: 'a short link first, then the location',
    steps: ['oi', '1', 'https://maps.app.goo.gl/x7Yq2kP9', { loc: CENTRE }, ...reserveTail(26)],
    end: 'reservation',
  },
  {
    name: 'typed street address, one match',
    steps: ['oi', '1', 'Avenida Brasil, 1500, Maringá', ...reserveTail(27)],
    end: 'reservation',
  },
  {
    name: 'typed address at the menu, straight away',
    steps: ['Rua Néo Alves Martins 2200', ...reserveTail(28)],
    end: 'reservation',
  },
  {
    name: 'typed address with several matches: picks from the list',
    steps: ['oi', '1', 'Avenida Zona 01', '1', ...reserveTail(29)],
    end: 'reservation',
  },
  {
    name: 'address not found, then the pin',
    steps: ['oi', '1', 'Rua Que Não Existe, 99', { loc: CENTRE }, ...reserveTail(30)],
    end: 'reservation',
  },
  {
    name: 'wrong place at first: says so and sends the right one',
    steps: ['oi', '1', { loc: UNSERVED }, '3', { loc: CENTRE }, ...reserveTail(31)],
    end: 'reservation',
  },
  {
    name: 'a new location while typing the data, accepted',
    steps: [
      'oi',
      '1',
      { loc: UNSERVED },
      'sim',
      'sim',
      { loc: CENTRE },
      'sim',
      'sim',
      'sim',
      'Otávio Reis',
      '44998120011',
      cpf(100_000_032),
      'otavio@example.com',
      'sim',
    ],
    end: 'reservation',
  },
  // Not served here: leads.
  {
    name: 'no fibre on this street: a lead',
    steps: [
      'oi',
      '1',
      { loc: UNSERVED },
      'sim',
      'Rua Arapongas, 150',
      'Pedro Alves',
      '43 3333-2222',
    ],
    end: 'prospect',
  },
  {
    name: 'no fibre, address typed with reference',
    steps: [
      'oi',
      '1',
      { loc: UNSERVED },
      'quero ser avisado',
      'Rua Pioneira, 88, perto da escola',
      'Lúcia Prado',
      '44998121122',
    ],
    end: 'prospect',
  },
  {
    name: 'no fibre at a typed address (Cerro Azul)',
    steps: ['oi', '1', 'Avenida Cerro Azul, 1200', 'sim', 'sim', 'Carla Dias', '44998122233'],
    end: 'prospect',
  },
  {
    name: 'no fibre, FindME page',
    steps: [
      'oi',
      '1',
      '2',
      { findme: UNSERVED },
      'sim',
      'Estrada Guaiapó, s/n',
      'Roberto Lima',
      '44998123344',
    ],
    end: 'prospect',
  },
  {
    name: 'no fibre, WhatsApp phone accepted',
    channel: 'whatsapp',
    senderPhone: '5544998124455',
    steps: ['oi', '1', { loc: UNSERVED }, 'sim', 'Rua Tupã, 77', 'Sônia Braga', 'sim'],
    end: 'prospect',
  },
  {
    name: 'university campus typed: not served yet, lead',
    steps: ['quero fibra', 'Avenida Colombo 5790', 'sim', 'sim', 'Tiago Moura', '44998125566'],
    end: 'prospect',
  },
  // Out of the area.
  {
    name: 'another city: not served, lead flagged out of area',
    steps: ['oi', '1', { loc: LONDRINA }, 'sim', 'Rua Sergipe, 500', 'Marta Souza', '43998126677'],
    end: 'prospect',
  },
  {
    name: 'the middle of the ocean: not served, declines',
    steps: ['oi', '1', { loc: OCEAN }, 'não'],
    end: 'not-served',
  },
  {
    name: 'São Paulo typed as coordinates: not served, declines',
    steps: ['oi', '1', '-23.5505, -46.6333', 'não, obrigado'],
    end: 'not-served',
  },
  {
    name: 'far away, lead with the chat phone',
    channel: 'whatsapp',
    senderPhone: '5511987650000',
    steps: [
      'boa noite',
      'consultar',
      { loc: SAO_PAULO },
      'pode ser',
      'Avenida Paulista, 1000',
      'Renato Alves',
      'sim',
    ],
    end: 'prospect',
  },
  // Declines (honest endings, nothing recorded).
  {
    name: 'checks and does not want to reserve',
    steps: ['oi', '1', { loc: CENTRE }, 'agora não'],
    end: 'declined',
  },
  {
    name: 'no fibre and no thanks',
    steps: ['oi', '1', { loc: UNSERVED }, 'não obrigado'],
    end: 'not-served',
  },
  // A person.
  { name: 'menu option 2', steps: ['oi', '2'], end: 'handoff' },
  { name: '"atendente" as the first word', steps: ['atendente'], end: 'handoff' },
  {
    name: 'asks for a person in a sentence',
    steps: ['oi', 'quero falar com atendente por favor'],
    end: 'handoff',
  },
  { name: '"falar com humano"', steps: ['oi', '1', 'falar com humano'], end: 'handoff' },
  { name: 'typo in "atendente"', steps: ['oi', 'atendnete'], end: 'handoff' },
  {
    name: 'gives up on the data and asks for a person',
    steps: ['oi', '1', { loc: CENTRE }, 'sim', 'sim', 'tem como falar com uma pessoa?'],
    end: 'handoff',
  },
  {
    name: 'a billing question goes to a person',
    steps: ['oi, preciso falar com um atendente sobre meu boleto'],
    end: 'handoff',
  },
  // Cancels.
  {
    name: '"cancela tudo" mid-way',
    steps: ['oi', '1', { loc: CENTRE }, 'sim', 'cancela tudo'],
    end: 'declined',
  },
  { name: '"canselar" (typo)', steps: ['oi', '1', 'canselar'], end: 'declined' },
  // Returning customers.
  {
    name: 'returning: reserved before',
    steps: ['oi', '1', { loc: CENTRE }, ...reserveTail(40)],
    end: 'reservation',
  },
  {
    name: 'returning: same CPF keeps the reservation it has',
    sameChatAs: 'returning: reserved before',
    steps: [
      'oi',
      '1',
      { loc: NEAR },
      'sim',
      'sim',
      'Cliente Teste Oereira',
      '44 99876-5432',
      cpf(100_000_040),
      '1',
    ],
    end: 'reservation',
  },
  {
    name: 'returning: same CPF from another chat moves the reservation',
    steps: ['oi', '1', { loc: CENTRE }, ...reserveTail(41)],
    end: 'reservation',
  },
  {
    name: 'returning: moves it to the new point',
    steps: [
      'oi',
      '1',
      { loc: NEAR },
      'sim',
      'sim',
      'Cliente Teste Pereira',
      '44 99876-5432',
      cpf(100_000_041),
      '2',
    ],
    end: 'reservation',
  },
  {
    name: 'comes back after the idle time and continues',
    steps: [
      'oi',
      '1',
      { loc: CENTRE },
      'sim',
      'sim',
      'Vera Lúcia Campos',
      { idle: 2 * 3600_000 },
      'oi',
      '1',
      '44998127788',
      cpf(100_000_042),
      'vera@example.com',
      'sim',
    ],
    end: 'reservation',
  },
  {
    name: 'comes back after the idle time and starts over',
    steps: [
      'oi',
      '1',
      { loc: CENTRE },
      'sim',
      'sim',
      { idle: 2 * 3600_000 },
      'oi',
      '2',
      '1',
      { loc: CENTRE },
      ...reserveTail(43),
    ],
    end: 'reservation',
  },
  {
    name: 'comes back after a day with nothing collected',
    steps: [
      'oi',
      '1',
      { idle: 26 * 3600_000 },
      'oi',
      '1',
      { loc: UNSERVED },
      'sim',
      'Rua Arapongas, 10',
      'Gustavo Henrique',
      '44998128899',
    ],
    end: 'prospect',
  },
  // Messy messages.
  {
    name: 'greets twice and answers with the label',
    steps: [
      'oi',
      'bom dia',
      'Consultar disponibilidade de fibra',
      { loc: CENTRE },
      'Sim, quero reservar',
      'Sim, está certo',
      'Luana Ferraz',
      '44998129900',
      cpf(100_000_044),
      'luana@example.com',
      'Confirmar reserva',
    ],
    end: 'reservation',
  },
  {
    name: 'nonsense first, then the menu',
    steps: ['asdfgh', '???', '1', { loc: CENTRE }, ...reserveTail(45)],
    end: 'reservation',
  },
  {
    name: '"menu" in the middle starts over',
    steps: ['oi', '1', { loc: UNSERVED }, 'menu', '1', { loc: CENTRE }, ...reserveTail(46)],
    end: 'reservation',
  },
  {
    name: 'a reference point only, then the number',
    steps: [
      'oi',
      '1',
      { loc: CENTRE, address: 'Praça da Catedral' },
      'sim',
      'perto da catedral',
      '12, perto da catedral',
      'Sofia Martins',
      '44998130011',
      cpf(100_000_047),
      'pular',
      'sim',
    ],
    end: 'reservation',
  },
  {
    name: 'web chat customer, all typed',
    channel: 'web',
    steps: [
      'oi',
      'quero saber se tem fibra',
      'Avenida Herval, 800',
      'sim',
      'sim',
      'Diego Costa Lima',
      '(44) 3025-1234',
      cpf(100_000_048),
      'diego@example.com',
      'sim',
    ],
    end: 'reservation',
  },
];
