// Every sentence the customer reads, in one place (pt-BR). Keep them short and friendly: they are
// read on a phone. Options are not written into the text: adapters number them after it
// (src/bot/shared/menu.ts formatMenu) and add buttons where the channel has them.
import type { MenuOption } from './messages.js';

export interface OptionsText {
  text: string;
  options: MenuOption[];
}

function withOptions(text: string, labels: string[]): OptionsText {
  return { text, options: labels.map((label, i) => ({ key: String(i + 1), label })) };
}

export const texts = {
  greeting: (name?: string) =>
    `Olá${name ? `, ${name}` : ''}! 👋 Sou o assistente virtual de vendas. Aqui você consulta se tem fibra no seu endereço e já reserva sua instalação. A qualquer momento, envie "menu", "voltar", "cancelar" ou "atendente".`,
  menu: () =>
    withOptions('Como posso te ajudar? Responda com o número da opção.', [
      'Consultar disponibilidade de fibra',
      'Falar com um atendente',
    ]),
  expired:
    'Sua conversa anterior ficou parada por um tempo e foi encerrada. Vamos começar de novo 🙂',
  notUnderstood: 'Hmm, não entendi 🤔',
  answerWithNumber: 'Não entendi 🤔 Responda com o número de uma das opções.',
  unsupportedMedia: 'Por enquanto só consigo ler texto e localização 🙂',
  contactNotNeeded: 'Obrigado pelo contato! Agora não preciso dele.',
  storeTrouble:
    'Desculpe, tive um problema aqui do meu lado 😕 Pode mandar sua mensagem de novo em instantes?',

  // Location
  askLocationIntro: 'Ótimo! Vamos ver se a fibra chega até você. 📍',
  /** The channel adds how to share a location in its app and the FindME link after this. */
  askLocation: (withMap: boolean) =>
    withMap
      ? 'Onde você quer instalar a internet? 📍 Envie a localização pelo aplicativo ou, se preferir, marque o ponto no mapa pelo link.'
      : 'Onde você quer instalar a internet? 📍 Envie a localização pelo aplicativo (o mapa está indisponível agora).',
  shareInApp: 'Combinado! Envie a localização da instalação pelo aplicativo 📍',
  openMap: (url: string) =>
    `Abra este link, confirme o ponto no mapa (dá para buscar pelo endereço e arrastar o marcador) e toque em "Confirmar":\n${url}`,
  needLocation:
    'Para consultar a disponibilidade, preciso da localização da instalação. Endereço digitado eu não consigo ler aqui, mas no mapa do link dá para buscá-lo.',
  confirmLocation: (place: string) =>
    withOptions(`Esta é a localização da instalação?\n📍 ${place}`, [
      'Sim, está certa',
      'Não, quero enviar outra',
    ]),
  coordinates: (lat: number, lng: number) => `ponto ${lat.toFixed(5)}, ${lng.toFixed(5)}`,
  sendAnotherLocation: 'Sem problemas! Envie a localização correta.',
  fromMap: (place: string) => `Recebi a localização que você confirmou no mapa 📍 ${place}`,
  checking: 'Só um instante, estou consultando a disponibilidade... 🔎',

  // Coverage
  viable: (distanceMeters?: number) =>
    `Ótima notícia! Temos fibra no seu endereço 🎉${
      distanceMeters !== undefined
        ? ` Nossa caixa mais próxima fica a uns ${Math.round(distanceMeters)} m.`
        : ''
    }`,
  offerReservation: () =>
    withOptions('Quer reservar sua instalação agora? Leva só uns minutinhos.', [
      'Sim, quero reservar',
      'Não, agora não',
    ]),
  notViable: 'Poxa, ainda não temos fibra nesse endereço 😕 Mas estamos sempre ampliando a rede.',
  offerProspect: () =>
    withOptions('Quer que a gente te avise quando a fibra chegar aí?', [
      'Sim, quero ser avisado',
      'Não, obrigado',
    ]),
  coverageTrouble: 'Tive um problema para consultar agora 😕 Não perdi nada do que você me disse.',
  retryCoverage: () =>
    withOptions('Envie "tentar de novo" daqui a pouco, ou mande a localização outra vez.', [
      'Tentar de novo',
    ]),

  // Data collection
  askName: 'Qual é o seu nome completo?',
  nameInvalid:
    'Preciso do seu nome completo, com nome e sobrenome (só letras). Ex.: Maria da Silva',
  askPhone: 'Qual é o seu telefone com DDD? Ex.: (44) 99999-1234',
  confirmPhone: (phone: string) =>
    withOptions(`Podemos usar este número para contato: ${phone}?`, [
      'Sim, pode usar',
      'Não, quero informar outro',
    ]),
  phoneInvalid:
    'Esse telefone não parece válido 🤔 Envie com DDD: celular com 9 dígitos ou fixo com 8. Ex.: (44) 99999-1234',
  askOtherPhone: 'Tudo bem! Qual número devemos usar? Envie com DDD, ex.: (44) 99999-1234',
  askDocument: 'Qual é o seu CPF? Só os números já servem.',
  documentInvalid: 'Esse CPF não é válido 🤔 Confira os 11 números e envie de novo.',
  askEmail: 'Qual é o seu e-mail?',
  emailInvalid: 'Esse e-mail não parece válido 🤔 Ex.: maria@email.com',

  summary: (s: { name: string; phone: string; document: string; email: string; place: string }) =>
    withOptions(
      `Confira seus dados:\n\nNome: ${s.name}\nTelefone: ${s.phone}\nCPF: ${s.document}\nE-mail: ${s.email}\nLocal: ${s.place}`,
      ['Confirmar reserva', 'Corrigir algum dado'],
    ),
  chooseCorrection: () =>
    withOptions('O que você quer corrigir? Para mudar o local, é só enviar a nova localização.', [
      'Nome',
      'Telefone',
      'CPF',
      'E-mail',
    ]),
  reserving: 'Perfeito! Estou reservando sua porta... ⏳',
  reserved: (r: { boxName: string; splitterName: string; port: number; expiresAt: Date }) =>
    `Reserva feita! ✅\n\nCaixa: ${r.boxName}\nSplitter: ${r.splitterName}\nPorta: ${r.port}\n\nNossa equipe vai entrar em contato para agendar a instalação. Sua reserva vale até ${formatDate(r.expiresAt)}.`,
  noFreePort:
    'Ops! A porta que eu ia reservar acabou de ser ocupada 😕 Deixa eu verificar de novo...',
  recheckViable: 'Encontrei outra porta livre para você 🙌',
  recheckNotViable: 'Infelizmente as portas perto de você foram todas ocupadas agora 😕',
  reserveTrouble:
    'Tive um problema para fazer a reserva agora 😕 Seus dados estão guardados, nenhuma reserva foi duplicada.',
  retryReserve: () =>
    withOptions('Envie "tentar de novo" daqui a pouco para eu tentar outra vez.', [
      'Tentar de novo',
    ]),

  // Prospect
  creatingProspect: 'Anotando seu contato... 📝',
  prospectCreated:
    'Prontinho! Seu contato está anotado ✅ Assim que a fibra chegar aí, nossa equipe te avisa.',
  prospectTrouble: 'Tive um problema para anotar seu contato agora 😕 Seus dados estão guardados.',
  retryProspect: () =>
    withOptions('Envie "tentar de novo" daqui a pouco para eu tentar outra vez.', [
      'Tentar de novo',
    ]),

  // Location in the middle of another step
  newLocation: () =>
    withOptions('Recebi uma nova localização 📍 Quer recomeçar a consulta com ela?', [
      'Sim, usar a nova localização',
      'Não, continuar de onde parei',
    ]),
  keepGoing: 'Certo, vamos continuar de onde paramos.',

  // Endings
  declinedReservation: 'Tudo bem! Se mudar de ideia, é só enviar "menu". Até mais! 👋',
  declinedProspect: 'Tudo bem! Quando quiser consultar de novo, é só enviar "menu". Até mais! 👋',
  cancelled:
    'Tudo bem, encerrei por aqui e apaguei suas respostas. Quando quiser, é só mandar um "oi". 👋',
  handoff:
    'Certo! Já chamei alguém da nossa equipe 🙋 Aguarde um pouquinho que vão te responder aqui mesmo.',
  alreadyReserved: (r: { boxName: string; splitterName: string; port: number }) =>
    `Sua reserva já está feita ✅ (caixa ${r.boxName}, splitter ${r.splitterName}, porta ${r.port}). Nossa equipe vai entrar em contato para agendar a instalação. Para uma nova consulta, envie "menu".`,
  alreadyProspect:
    'Seu contato já está anotado ✅ Avisaremos quando a fibra chegar. Para uma nova consulta, envie "menu".',
};

function formatDate(date: Date): string {
  return date.toLocaleDateString('pt-BR', { timeZone: 'America/Sao_Paulo' });
}
