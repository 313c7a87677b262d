// The pt-BR catalogue: every sentence a customer reads, as templates with {placeholders}. A
// provider may override any entry with a JSON file (CHATBOT_TEXTS_FILE); `alcance texts defaults`
// prints this catalogue in that file's format. {provider} (PROVIDER_NAME) is allowed anywhere;
// every other placeholder of an entry must stay in its override. Keep the texts short and
// friendly: they are read on a phone. Options are separate entries: adapters number them.

import { closest } from 'fastest-levenshtein';

export const DEFAULT_CATALOGUE = {
  greeting:
    'Olá! 👋 Sou o assistente virtual da {provider}. Aqui você consulta se a fibra chega ao seu endereço e já reserva a sua instalação. A qualquer momento, envie "menu", "voltar", "cancelar" ou "atendente".',
  greetingNamed:
    'Olá, {name}! 👋 Sou o assistente virtual da {provider}. Aqui você consulta se a fibra chega ao seu endereço e já reserva a sua instalação. A qualquer momento, envie "menu", "voltar", "cancelar" ou "atendente".',
  menu: 'Como posso te ajudar? Responda com o número da opção.',
  menuCoverage: 'Consultar disponibilidade de fibra',
  menuHuman: 'Falar com um atendente',
  resumeOffer:
    'Olá de novo! 👋 Você começou a reservar sua instalação e parou no meio. Quer continuar de onde parou?',
  resumeOfferNamed:
    'Olá de novo, {name}! 👋 Você começou a reservar sua instalação e parou no meio. Quer continuar de onde parou?',
  resumeContinue: 'Sim, continuar de onde parei',
  resumeRestart: 'Não, começar de novo',
  expired:
    'Sua conversa anterior ficou parada por um tempo e foi encerrada. Vamos começar de novo 🙂',
  notUnderstood: 'Hmm, não entendi 🤔',
  answerWithNumber: 'Não entendi 🤔 Responda com o número de uma das opções.',
  unsupportedMedia:
    'Ainda não consigo ouvir áudios nem ver fotos e arquivos 🙈 Pode me escrever, por favor?',
  contactNotNeeded: 'Obrigado pelo contato! Agora não preciso dele.',
  storeTrouble:
    'Desculpe, tive um problema aqui do meu lado 😕 Pode mandar sua mensagem de novo em instantes?',

  askLocationIntro: 'Ótimo! Vamos ver se a fibra chega até você. 📍',
  askLocation:
    'Onde você quer instalar a internet? 📍 Envie a localização pelo aplicativo, digite o endereço (rua, número e cidade) ou, se preferir, marque o ponto no mapa pelo link.',
  askLocationNoSearch:
    'Onde você quer instalar a internet? 📍 Envie a localização pelo aplicativo, cole um link de mapa (Google Maps, Waze...) ou, se preferir, marque o ponto no mapa pelo link.',
  askLocationNoMap:
    'Onde você quer instalar a internet? 📍 Envie a localização pelo aplicativo ou digite o endereço (rua, número e cidade). O mapa está indisponível agora.',
  askLocationNoMapNoSearch:
    'Onde você quer instalar a internet? 📍 Envie a localização pelo aplicativo ou cole um link de mapa (Google Maps, Waze...). O mapa está indisponível agora.',
  mapLinkIntro: 'Se preferir, marque o local no mapa:',
  shareLocationHowTo:
    'Para enviar a localização, toque em 📎 (anexar) → Localização → Enviar localização atual. Se não estiver no imóvel, arraste o mapa até ele antes de enviar.',
  shareInApp: 'Combinado! Envie a localização da instalação pelo aplicativo 📍',
  openMap:
    'Abra este link, confirme o ponto no mapa (dá para buscar o endereço e arrastar o marcador) e toque em "Confirmar":\n{url}',
  openMapNoSearch:
    'Abra este link, confirme o ponto no mapa (dá para usar o GPS e arrastar o marcador) e toque em "Confirmar":\n{url}',
  needLocation:
    'Não entendi esse endereço 🤔 Escreva rua, número e cidade (ex.: Avenida Brasil, 1500, Maringá) ou envie a localização pelo aplicativo.',
  needLocationNoSearch:
    'Por aqui eu não consigo procurar endereços digitados 😕 Envie a localização pelo aplicativo, cole um link de mapa ou digite as coordenadas (ex.: -23.4253, -51.9386).',
  addressNotFound:
    'Não encontrei esse endereço 😕 Confira a rua, o número e a cidade e tente de novo, ou envie a localização pelo aplicativo.',
  searchTrouble:
    'A busca de endereços não respondeu agora 😕 Envie a localização pelo aplicativo ou tente de novo daqui a pouco.',
  shortLink:
    'Esse link encurtado eu não consigo abrir daqui 😕 No aplicativo de mapas, toque em "Compartilhar" e envie a localização por aqui, ou copie as coordenadas do ponto (ex.: -23.4253, -51.9386).',
  mapLinkUnreadable:
    'Não achei o ponto nesse link 🤔 Envie a localização pelo aplicativo ou copie as coordenadas do ponto (ex.: -23.4253, -51.9386).',
  chooseAddress: 'Encontrei estes endereços. Qual é o seu?',
  chooseAddressNone: 'Nenhum desses',
  coordinates: 'ponto {lat}, {lng}',
  sendAnotherLocation:
    'Sem problemas! Envie a localização correta pelo aplicativo ou digite o endereço.',
  fromMap: 'Recebi a localização que você confirmou no mapa 📍 {place}',
  checking: 'Só um instante, estou consultando a disponibilidade... 🔎',

  viable: 'Ótima notícia! Temos fibra em 📍 {place} 🎉',
  offerReservation: 'Quer reservar sua instalação agora? Leva só uns minutinhos.',
  offerReservationYes: 'Sim, quero reservar',
  offerReservationNo: 'Não, agora não',
  wrongPlace: 'O local não está certo',
  notViable: 'Poxa, ainda não temos fibra em 📍 {place} 😕 Mas estamos sempre ampliando a rede.',
  outOfArea:
    'A {provider} ainda não atende a região de 📍 {place} 😕 Por enquanto não temos rede por aí.',
  outOfAreaEnd:
    'Se quiser consultar outro endereço, é só enviar "menu". Obrigado pelo interesse! 👋',
  offerProspect: 'Quer que a gente te avise quando a fibra chegar aí?',
  offerProspectYes: 'Sim, quero ser avisado',
  offerProspectNo: 'Não, obrigado',
  coverageTrouble: 'Tive um problema para consultar agora 😕 Não perdi nada do que você me disse.',
  retryCoverage: 'Envie "tentar de novo" daqui a pouco, ou mande a localização outra vez.',
  retryOption: 'Tentar de novo',

  askAddress:
    'Para o técnico encontrar você: o endereço da instalação é 📍 {address}?\nSe estiver certo, responda "sim" (pode acrescentar complemento e ponto de referência, ex.: "sim, casa 2, perto da padaria"). Se não, escreva o endereço com rua, número, complemento e um ponto de referência.',
  askAddressYes: 'Sim, está certo',
  askAddressNumber:
    'Para o técnico encontrar você: qual é o número do imóvel em 📍 {address}? Se tiver, acrescente complemento e um ponto de referência (ex.: "120, casa 2, perto da padaria").',
  askAddressBlank:
    'Para o técnico encontrar você: qual é o endereço da instalação? Escreva rua, número, complemento e um ponto de referência (ex.: "Rua das Flores, 120, casa 2, perto da padaria").',
  addressInvalid:
    'Preciso do endereço com rua e número 🙂 Se o imóvel não tiver número, escreva "s/n". Ex.: Rua das Flores, 120, casa 2, perto da padaria',
  askName: 'Qual é o seu nome completo?',
  nameInvalid:
    'Preciso do seu nome completo, com nome e sobrenome (só letras). Ex.: Maria da Silva',
  askPhone: 'Qual é o seu telefone com DDD? Ex.: (44) 99999-1234',
  confirmPhone: 'Podemos usar este número para contato: {phone}?',
  confirmPhoneYes: 'Sim, pode usar',
  confirmPhoneNo: 'Não, quero informar outro',
  phoneInvalid:
    'Esse telefone não parece válido 🤔 Envie com DDD: celular com 9 dígitos ou fixo com 8. Ex.: (44) 99999-1234',
  askOtherPhone: 'Tudo bem! Qual número devemos usar? Envie com DDD, ex.: (44) 99999-1234',
  askDocument:
    'Qual é o seu CPF? Ele serve para registrar a reserva no nome do titular da instalação e evitar reservas repetidas. Só os números já servem.',
  documentInvalid: 'Esse CPF não é válido 🤔 Confira os 11 números e envie de novo.',
  askEmail: 'Qual é o seu e-mail? Se não tiver ou preferir não informar, responda "pular".',
  askEmailSkip: 'Pular',
  emailInvalid: 'Esse e-mail não parece válido 🤔 Ex.: maria@email.com (ou responda "pular")',
  emailNone: 'não informado',
  summary:
    'Confira seus dados:\n\nNome: {name}\nTelefone: {phone}\nCPF: {document}\nE-mail: {email}\nEndereço: {address}',
  summaryConfirm: 'Confirmar reserva',
  summaryCorrect: 'Corrigir algum dado',
  chooseCorrection: 'O que você quer corrigir? Para mudar o local, é só enviar a nova localização.',
  correctName: 'Nome',
  correctPhone: 'Telefone',
  correctDocument: 'CPF',
  correctEmail: 'E-mail',
  correctAddress: 'Endereço',
  reserving: 'Perfeito! Estou reservando sua instalação... ⏳',
  reserved:
    'Pronto, sua instalação está reservada até {date} ✅\n\nEndereço: {address}\n\nNossa equipe vai entrar em contato para agendar a visita do técnico.',
  noFreePort:
    'Ops! A vaga que eu ia reservar acabou de ser ocupada 😕 Deixa eu verificar de novo...',
  recheckViable: 'Encontrei outra vaga para você 🙌',
  recheckNotViable: 'Infelizmente as vagas perto de você foram todas ocupadas agora 😕',
  reserveTrouble:
    'Tive um problema para fazer a reserva agora 😕 Seus dados estão guardados e nada foi reservado em dobro.',
  retryReserve: 'Envie "tentar de novo" daqui a pouco para eu tentar outra vez.',
  existingReservation:
    'Encontrei uma instalação já reservada no seu CPF ✅\n📍 {address}\nA reserva vale até {date}. O que você prefere?',
  existingKeep: 'Manter essa reserva',
  existingMove: 'Mudar a reserva para o novo endereço',
  existingKept:
    'Combinado, sua reserva continua como estava ✅ Nossa equipe vai entrar em contato para agendar a instalação.',
  moving: 'Certo! Estou mudando sua reserva para o novo endereço... ⏳',
  moved: 'Pronto, sua reserva agora é para 📍 {address} ✅ Ela vale até {date}.',
  moveNotViable:
    'Poxa, no novo endereço não há vaga livre agora 😕 Sua reserva continua no endereço anterior.',

  creatingProspect: 'Anotando seu contato... 📝',
  prospectCreated:
    'Prontinho! Seu contato está anotado ✅ Assim que a fibra chegar aí, nossa equipe te avisa.',
  prospectTrouble: 'Tive um problema para anotar seu contato agora 😕 Seus dados estão guardados.',
  retryProspect: 'Envie "tentar de novo" daqui a pouco para eu tentar outra vez.',

  newLocation: 'Recebi uma nova localização 📍 Quer recomeçar a consulta com ela?',
  newLocationYes: 'Sim, usar a nova localização',
  newLocationNo: 'Não, continuar de onde parei',
  keepGoing: 'Certo, vamos continuar de onde paramos.',

  declinedReservation: 'Tudo bem! Se mudar de ideia, é só enviar "menu". Até mais! 👋',
  declinedProspect: 'Tudo bem! Quando quiser consultar de novo, é só enviar "menu". Até mais! 👋',
  cancelled:
    'Tudo bem, encerrei por aqui e apaguei suas respostas. Quando quiser, é só mandar um "oi". 👋',
  handoff:
    'Certo! Já chamei alguém da nossa equipe 🙋 Aguarde um pouquinho que vão te responder aqui mesmo.',
  handoffQueued:
    'Certo! Já chamei alguém da nossa equipe 🙋 Você é o {position}º da fila; vão te responder aqui mesmo.',
  handoffLater:
    'Certo! Nossa equipe volta a atender {opensAt} 🙋 Seu pedido ficou registrado e vão te responder aqui mesmo.',
  alreadyReserved:
    'Sua instalação já está reservada até {date} ✅ Nossa equipe vai entrar em contato para agendar. Para uma nova consulta, envie "menu".',
  alreadyProspect:
    'Seu contato já está anotado ✅ Avisaremos quando a fibra chegar. Para uma nova consulta, envie "menu".',

  webTitle: '{provider} — consulta de fibra',
  webHeader: '{provider}: consulta de disponibilidade de fibra',
  webPlaceholder: 'Digite sua mensagem',
  webSend: 'Enviar',
  webShareLocation: 'Enviar minha localização',
  webLocationHint: 'Toque no botão 📍 abaixo para enviar sua localização.',
  webMyLocation: '📍 Minha localização',
  webSendFailed: 'Não consegui enviar sua mensagem agora. Tente de novo em instantes.',
  webNoGeolocation: 'Seu navegador não permite enviar a localização. Digite o endereço.',
  webGeolocationFailed:
    'Não consegui pegar sua localização. Verifique a permissão do navegador ou digite o endereço.',
} as const satisfies Record<string, string>;

export type TextKey = keyof typeof DEFAULT_CATALOGUE;
export type Catalogue = Record<TextKey, string>;

/** Allowed in every entry, required in none. */
const GLOBAL_PLACEHOLDERS = new Set(['provider']);

export class TextsError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid chatbot texts:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'TextsError';
  }
}

export function placeholdersOf(template: string): Set<string> {
  return new Set([...template.matchAll(/\{(\w+)\}/g)].map((m) => m[1] ?? ''));
}

/**
 * The defaults with the provider's overrides applied. Every problem is listed at once: an unknown
 * key (with the nearest known one), a value that is not a non-empty string, a placeholder the
 * entry needs that is missing, a placeholder the entry does not know.
 */
export function mergeCatalogue(overrides: unknown): Catalogue {
  if (typeof overrides !== 'object' || overrides === null || Array.isArray(overrides)) {
    throw new TextsError(['the file must hold one JSON object: { "key": "text", ... }']);
  }
  const problems: string[] = [];
  const merged: Catalogue = { ...DEFAULT_CATALOGUE };
  for (const [key, value] of Object.entries(overrides)) {
    if (!(key in DEFAULT_CATALOGUE)) {
      const near = closest(key, Object.keys(DEFAULT_CATALOGUE));
      problems.push(`${key}: unknown key (did you mean "${near}"? see \`alcance texts defaults\`)`);
      continue;
    }
    if (typeof value !== 'string' || value.trim() === '') {
      problems.push(`${key}: must be a non-empty string`);
      continue;
    }
    const needed = placeholdersOf(DEFAULT_CATALOGUE[key as TextKey]);
    const used = placeholdersOf(value);
    for (const p of needed) {
      if (!GLOBAL_PLACEHOLDERS.has(p) && !used.has(p)) {
        problems.push(`${key}: missing placeholder {${p}}`);
      }
    }
    for (const p of used) {
      if (!needed.has(p) && !GLOBAL_PLACEHOLDERS.has(p)) {
        const known = [...needed, ...GLOBAL_PLACEHOLDERS].map((k) => `{${k}}`).join(', ');
        problems.push(`${key}: unknown placeholder {${p}} (this text may use ${known})`);
      }
    }
    merged[key as TextKey] = value;
  }
  if (problems.length) throw new TextsError(problems);
  return merged;
}

/** Fills {placeholders}; unknown ones are left as written (validation catches them at start). */
export function fill(template: string, params: Record<string, string | number>): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) =>
    name in params ? String(params[name]) : whole,
  );
}
