import type { Channel, GeoPoint } from '../bot/conversation/messages.js';
import { ASSET_BASE_PLACEHOLDER, fillBuiltPage } from '../http/built-page.js';
import { renderProblemPage } from '../http/problem-page.js';
import type { LinkProblem } from './links.js';

/** What the page reads from the served HTML (`<script id="findme-config">`). */
export interface FindMePageConfig {
  token: string;
  expiresAt: string;
  searchEnabled: boolean;
  center: GeoPoint;
  zoom: number;
  tiles: {
    street: { url: string; attribution: string };
    satellite: { url: string; attribution: string };
  };
}

/** The built page's placeholders: where the config goes, and the prefix of its asset URLs. */
export const CONFIG_PLACEHOLDER = '<!--findme-config-->';
export { ASSET_BASE_PLACEHOLDER };

/** Fills the built HTML: config as inert JSON (no `<` can close the tag), assets under `assetBase`. */
export function renderFindMePage(
  template: string,
  config: FindMePageConfig,
  assetBase: string,
): string {
  return fillBuiltPage(
    template,
    { placeholder: CONFIG_PLACEHOLDER, scriptId: 'findme-config' },
    config,
    assetBase,
  );
}

const CHANNEL_NAMES: Partial<Record<Channel, string>> = {
  whatsapp: 'WhatsApp',
  telegram: 'Telegram',
};

const PROBLEM_TEXT: Record<LinkProblem | 'unavailable', { title: string; body: string }> = {
  malformed: {
    title: 'Link inválido',
    body: 'Este link não está completo ou foi alterado.',
  },
  tampered: {
    title: 'Link inválido',
    body: 'Este link não está completo ou foi alterado.',
  },
  expired: {
    title: 'Este link expirou',
    body: 'Por segurança, cada link vale por pouco tempo.',
  },
  used: {
    title: 'Localização já confirmada',
    body: 'Você já confirmou sua localização com este link. A conversa continua no seu chat.',
  },
  unavailable: {
    title: 'Página indisponível',
    body: 'O mapa está em manutenção agora.',
  },
};

/** A friendly pt-BR page for a link that cannot be used, saying how to get a new one. */
export function linkProblemPage(problem: LinkProblem | 'unavailable', channel?: Channel): string {
  const text = PROBLEM_TEXT[problem];
  const where = (channel && CHANNEL_NAMES[channel]) ?? 'WhatsApp ou Telegram';
  const next =
    problem === 'used'
      ? `Volte para a conversa no ${where}. Se precisar mudar o endereço, peça um novo link por lá.`
      : `Para receber um novo link, volte para a conversa no ${where} e escolha ` +
        '<strong>“Procurar minha localização no mapa”</strong> de novo.';
  return renderProblemPage({
    site: 'FindME',
    width: '30rem',
    titleHtml: text.title,
    paragraphsHtml: [text.body, next],
  });
}
