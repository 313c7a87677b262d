// The sentences the flow sends, built from the catalogue (defaults plus the provider's overrides)
// and the provider's name. Options are data (key + label): adapters number them after the text
// (src/bot/shared/menu.ts formatMenu) and render buttons or lists where the channel has them.
import { DEFAULT_CATALOGUE, fill, type Catalogue, type TextKey } from './catalogue.js';
import type { MenuOption } from './messages.js';

export interface OptionsText {
  text: string;
  options: MenuOption[];
}

function withOptions(text: string, labels: string[]): OptionsText {
  return { text, options: labels.map((label, i) => ({ key: String(i + 1), label })) };
}

export interface TextsOptions {
  providerName: string;
  catalogue?: Catalogue;
}

/** Every customer-facing text of the flow, for one provider. */
export function createTexts(options: TextsOptions) {
  const catalogue = options.catalogue ?? DEFAULT_CATALOGUE;
  const t = (key: TextKey, params: Record<string, string | number> = {}): string =>
    fill(catalogue[key], { provider: options.providerName, ...params });
  const date = (d: Date): string =>
    d.toLocaleDateString('pt-BR', { timeZone: 'America/Sao_Paulo' });
  return {
    providerName: options.providerName,
    raw: t,
    greeting: (name?: string) => (name ? t('greetingNamed', { name }) : t('greeting')),
    menu: () => withOptions(t('menu'), [t('menuCoverage'), t('menuHuman')]),
    resumeOffer: (name?: string) =>
      withOptions(name ? t('resumeOfferNamed', { name }) : t('resumeOffer'), [
        t('resumeContinue'),
        t('resumeRestart'),
      ]),
    expired: t('expired'),
    notUnderstood: t('notUnderstood'),
    answerWithNumber: t('answerWithNumber'),
    unsupportedMedia: t('unsupportedMedia'),
    contactNotNeeded: t('contactNotNeeded'),
    storeTrouble: t('storeTrouble'),

    askLocationIntro: t('askLocationIntro'),
    askLocation: (withMap: boolean, withSearch: boolean) =>
      t(
        withMap
          ? withSearch
            ? 'askLocation'
            : 'askLocationNoSearch'
          : withSearch
            ? 'askLocationNoMap'
            : 'askLocationNoMapNoSearch',
      ),
    mapLinkIntro: t('mapLinkIntro'),
    shareLocationHowTo: t('shareLocationHowTo'),
    shareInApp: t('shareInApp'),
    openMap: (url: string, withSearch: boolean) =>
      t(withSearch ? 'openMap' : 'openMapNoSearch', { url }),
    needLocation: (withSearch: boolean) => t(withSearch ? 'needLocation' : 'needLocationNoSearch'),
    addressNotFound: t('addressNotFound'),
    searchTrouble: t('searchTrouble'),
    shortLink: t('shortLink'),
    mapLinkUnreadable: t('mapLinkUnreadable'),
    chooseAddress: (labels: string[]) =>
      withOptions(t('chooseAddress'), [...labels, t('chooseAddressNone')]),
    coordinates: (lat: number, lng: number) =>
      t('coordinates', { lat: lat.toFixed(5), lng: lng.toFixed(5) }),
    sendAnotherLocation: t('sendAnotherLocation'),
    fromMap: (place: string) => t('fromMap', { place }),
    checking: t('checking'),

    viable: (place: string) => t('viable', { place }),
    offerReservation: () =>
      withOptions(t('offerReservation'), [
        t('offerReservationYes'),
        t('offerReservationNo'),
        t('wrongPlace'),
      ]),
    notViable: (place: string) => t('notViable', { place }),
    outOfArea: (place: string) => t('outOfArea', { place }),
    outOfAreaEnd: t('outOfAreaEnd'),
    offerProspect: () =>
      withOptions(t('offerProspect'), [
        t('offerProspectYes'),
        t('offerProspectNo'),
        t('wrongPlace'),
      ]),
    coverageTrouble: t('coverageTrouble'),
    retryCoverage: () => withOptions(t('retryCoverage'), [t('retryOption')]),

    askAddress: (address: string) =>
      withOptions(t('askAddress', { address }), [t('askAddressYes')]),
    askAddressNumber: (address: string) => t('askAddressNumber', { address }),
    askAddressBlank: t('askAddressBlank'),
    addressInvalid: t('addressInvalid'),
    askName: t('askName'),
    nameInvalid: t('nameInvalid'),
    askPhone: t('askPhone'),
    confirmPhone: (phone: string) =>
      withOptions(t('confirmPhone', { phone }), [t('confirmPhoneYes'), t('confirmPhoneNo')]),
    phoneInvalid: t('phoneInvalid'),
    askOtherPhone: t('askOtherPhone'),
    askDocument: t('askDocument'),
    documentInvalid: t('documentInvalid'),
    askEmail: () => withOptions(t('askEmail'), [t('askEmailSkip')]),
    emailInvalid: t('emailInvalid'),
    emailNone: t('emailNone'),
    summary: (s: {
      name: string;
      phone: string;
      document: string;
      email: string;
      address: string;
    }) => withOptions(t('summary', s), [t('summaryConfirm'), t('summaryCorrect')]),
    chooseCorrection: () =>
      withOptions(t('chooseCorrection'), [
        t('correctName'),
        t('correctPhone'),
        t('correctDocument'),
        t('correctEmail'),
        t('correctAddress'),
      ]),
    reserving: t('reserving'),
    reserved: (r: { expiresAt: Date; address: string }) =>
      t('reserved', { date: date(r.expiresAt), address: r.address }),
    noFreePort: t('noFreePort'),
    recheckViable: t('recheckViable'),
    recheckNotViable: t('recheckNotViable'),
    reserveTrouble: t('reserveTrouble'),
    retryReserve: () => withOptions(t('retryReserve'), [t('retryOption')]),
    existingReservation: (r: { expiresAt: Date; address: string }) =>
      withOptions(t('existingReservation', { date: date(r.expiresAt), address: r.address }), [
        t('existingKeep'),
        t('existingMove'),
      ]),
    existingKept: t('existingKept'),
    moving: t('moving'),
    moved: (r: { expiresAt: Date; address: string }) =>
      t('moved', { date: date(r.expiresAt), address: r.address }),
    moveNotViable: t('moveNotViable'),

    creatingProspect: t('creatingProspect'),
    prospectCreated: t('prospectCreated'),
    prospectTrouble: t('prospectTrouble'),
    retryProspect: () => withOptions(t('retryProspect'), [t('retryOption')]),

    newLocation: () => withOptions(t('newLocation'), [t('newLocationYes'), t('newLocationNo')]),
    keepGoing: t('keepGoing'),

    declinedReservation: t('declinedReservation'),
    declinedProspect: t('declinedProspect'),
    cancelled: t('cancelled'),
    handoff: (outcome?: { position?: number; opensAt?: Date }) => {
      if (outcome?.opensAt) {
        const opensAt = outcome.opensAt.toLocaleString('pt-BR', {
          timeZone: 'America/Sao_Paulo',
          weekday: 'long',
          hour: '2-digit',
          minute: '2-digit',
        });
        return t('handoffLater', { opensAt });
      }
      if (outcome?.position) return t('handoffQueued', { position: outcome.position });
      return t('handoff');
    },
    alreadyReserved: (r: { expiresAt: Date }) => t('alreadyReserved', { date: date(r.expiresAt) }),
    alreadyProspect: t('alreadyProspect'),
  };
}

export type Texts = ReturnType<typeof createTexts>;

/** The default catalogue under a neutral provider name (tests, and callers that set none). */
export const DEFAULT_PROVIDER_NAME = 'Alcance';
