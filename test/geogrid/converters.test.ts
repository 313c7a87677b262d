import { describe, expect, it } from 'vitest';
import {
  apiBase,
  attachPayload,
  clientPayload,
  clientsPage,
  coordinate,
  documentDigits,
  equipmentFromPorts,
  fieldErrors,
  flag,
  GeogridShapeError,
  htmlToText,
  itemFromRecord,
  itemsPage,
  notificationItemIds,
  ourIdFromObservation,
  pointOf,
  portContradiction,
  summariesFromBody,
} from '../../src/integrations/geogrid/converters.js';

describe('Geogrid converters', () => {
  it('reads S/N flags, coordinates with a decimal comma and 0,0 as missing', () => {
    expect([
      flag('S'),
      flag('n'),
      flag(' S '),
      flag(true),
      flag('talvez'),
      flag(undefined),
    ]).toEqual([true, false, true, true, null, null]);
    expect(coordinate('-23,4253')).toBe(-23.4253);
    expect(coordinate(' -51.9386 ')).toBe(-51.9386);
    expect(coordinate('')).toBeNull();
    expect(coordinate('abc')).toBeNaN();
    expect(pointOf('-23.4253', '-51.9386')).toEqual({
      kind: 'point',
      point: { lat: -23.4253, lng: -51.9386 },
    });
    expect(pointOf('0', '0')).toEqual({ kind: 'missing' });
    expect(pointOf('', null)).toEqual({ kind: 'missing' });
    expect(pointOf('-123.5', '-51')).toEqual({ kind: 'invalid', raw: '-123.5,-51' });
    expect(pointOf('-23.4', '')).toEqual({ kind: 'invalid', raw: '-23.4,' });
  });

  it("turns Geogrid's HTML observacao into text lines", () => {
    expect(
      htmlToText(
        '<pre>SPLITTER: 1x8 / 1x16<br>CABO: 4 12fo</pre><p>Pot&ecirc;ncia: 25,69 dbm &amp; ok</p>',
      ),
    ).toBe('SPLITTER: 1x8 / 1x16\nCABO: 4 12fo\nPotência: 25,69 dbm & ok');
    expect(htmlToText('<p>&nbsp;</p>')).toBeNull();
    expect(htmlToText('<script>alert(1)</script>Rua &#65;&#x42;')).toBe('Rua AB');
    expect(htmlToText(42)).toBeNull();
  });

  it('finds our client id in observacao and reads CPF/CNPJ in any spelling', () => {
    expect(ourIdFromObservation('<p>Alcance: 0123456789abcdef01234567</p>')).toBe(
      '0123456789abcdef01234567',
    );
    expect(ourIdFromObservation('cliente 123')).toBeNull();
    expect(documentDigits('123.456.789-09')).toBe('12345678909');
    expect(documentDigits('12.345.678/0001-95')).toBe('12345678000195');
    expect(documentDigits('1234')).toBeNull();
  });

  it('takes the API URL or the panel URL as api_url', () => {
    expect(apiBase('https://eros.geogridmaps.com.br/alencar/api/v3').toString()).toBe(
      'https://eros.geogridmaps.com.br/alencar/api/v3/',
    );
    expect(apiBase('https://eros.geogridmaps.com.br/alencar/').toString()).toBe(
      'https://eros.geogridmaps.com.br/alencar/api/v3/',
    );
    expect(apiBase('https://ares.geogridmaps.com.br/norte/api').toString()).toBe(
      'https://ares.geogridmaps.com.br/norte/api/v3/',
    );
  });

  it('reads list and map records of network items, rejecting records without an id', () => {
    const page = itemsPage(
      {
        registros: [
          {
            dados: {
              id: 12,
              item: 'terminal',
              sigla: ' CTO-01 ',
              latitude: '-23,1',
              longitude: '-51,2',
              observacao: '<b>Rua A</b>',
            },
            pasta: { id: 3, nome: 'Centro' },
          },
          { dados: { sigla: 'sem id' } },
        ],
        totalRegistros: '740',
      },
      2,
      true,
    );
    expect(page).toEqual({
      page: 2,
      total: 740,
      records: [
        {
          id: '12',
          type: 'terminal',
          name: 'CTO-01',
          point: { kind: 'point', point: { lat: -23.1, lng: -51.2 } },
          observation: 'Rua A',
          folderId: '3',
          planned: true,
        },
      ],
      rejected: [{ itemId: 'page 2 #2', reason: 'a record without an id' }],
    });
    expect(
      itemFromRecord({ dados: { id: '7', item: 'poste', modoProjeto: 'N' }, idPasta: 4 }),
    ).toMatchObject({
      id: '7',
      folderId: '4',
      planned: false,
    });
    expect(() => itemsPage({ registros: 'x' }, 1, null)).toThrow(GeogridShapeError);
    expect(() => itemsPage('<html>', 1, null)).toThrow(GeogridShapeError);
  });

  it('reads equipment and ports, and spots port lists that contradict themselves', () => {
    const equipment = equipmentFromPorts(
      {
        registros: [
          {
            dados: { id: 900, sigla: 'SPL-A', atendimento: 'S' },
            portas: [
              { dados: { id: 1, porta: 1, tipo: 'E' }, cliente: null },
              { dados: { id: 3, porta: '2', tipo: 'S' }, cliente: { id: 55, nome: 'Ana' } },
              { dados: { id: 2, porta: 1, tipo: 'S', reservaStatus: 'reserva' }, cliente: null },
            ],
          },
          { portas: [{ dados: { id: 8, porta: 1 } }] },
        ],
      },
      null,
    );
    expect(equipment).toEqual([
      {
        id: '900',
        name: 'SPL-A',
        service: true,
        inputs: 1,
        outputs: [
          { id: '2', number: 1, client: null, reserved: true },
          { id: '3', number: 2, client: { id: '55', name: 'Ana' }, reserved: false },
        ],
      },
      {
        id: 'p8',
        name: null,
        service: null,
        inputs: 0,
        outputs: [{ id: '8', number: 1, client: null, reserved: false }],
      },
    ]);
    expect(portContradiction(equipment)).toBeNull();
    const twice = equipmentFromPorts(
      {
        registros: [
          {
            dados: { id: 1 },
            portas: [{ dados: { id: 1, porta: 1 } }, { dados: { id: 2, porta: 1 } }],
          },
        ],
      },
      true,
    );
    expect(portContradiction(twice)).toBe('equipment 1 lists output port 1 twice');
    const gap = equipmentFromPorts(
      {
        registros: [
          {
            dados: { id: 1, sigla: 'S1' },
            portas: [{ dados: { id: 1, porta: 1 } }, { dados: { id: 2, porta: 9 } }],
          },
        ],
      },
      true,
    );
    expect(portContradiction(gap)).toBe('equipment "S1" has output ports 1,9: not 1 to 2');
    expect(() =>
      equipmentFromPorts({ registros: [{ portas: [{ dados: { porta: 1 } }] }] }, true),
    ).toThrow(/port without id/);
  });

  it('reads the batched port summary', () => {
    const map = summariesFromBody({
      itensRede: [
        {
          idItemRede: 12,
          equipamentos: [
            {
              viabilidade: {
                saidas: 8,
                entradas: 1,
                livres: 5,
                ocupadasTotal: 2,
                reservadas: 1,
                reservadasCliente: 0,
              },
            },
          ],
        },
      ],
    });
    expect([...map]).toEqual([['12', [{ outputs: 8, inputs: 1, free: 5, taken: 2, reserved: 1 }]]]);
  });

  it('reads clients pages and field errors', () => {
    expect(
      clientsPage(
        {
          dados: [
            {
              id: 5,
              nome: 'Ana',
              cpfCnpj: '123.456.789-09',
              observacao: '<p>0123456789abcdef01234567</p>',
            },
          ],
          totalRegistros: 1,
        },
        1,
      ).records,
    ).toEqual([
      { id: '5', name: 'Ana', document: '12345678909', ourId: '0123456789abcdef01234567' },
    ]);
    expect(fieldErrors({ portaReservada: 'A porta está reservada' })).toEqual({
      portaReservada: 'A porta está reservada',
    });
    expect(fieldErrors({ erros: { cpfCnpj: ['inválido', 'curto'] } })).toEqual({
      cpfCnpj: 'inválido; curto',
    });
  });

  it('writes only basic data, our id in observacao, and places the client at the box', () => {
    expect(
      clientPayload({
        ourId: 'a'.repeat(24),
        name: ' Ana Lima ',
        document: '12.345.678/0001-95',
        address: 'Rua A, 1',
      }),
    ).toEqual({
      dados: {
        nome: 'Ana Lima',
        cpfCnpj: '12345678000195',
        tipo: 'J',
        endereco: 'Rua A, 1',
        observacao: 'a'.repeat(24),
      },
    });
    expect(
      clientPayload({ ourId: 'b'.repeat(24), name: null, document: 'x', address: null }),
    ).toEqual({
      dados: { nome: `Cliente ${'b'.repeat(24)}`, observacao: 'b'.repeat(24) },
    });
    expect(attachPayload({ portId: '100', clientId: '7', at: { lat: -23.1, lng: -51.2 } })).toEqual(
      {
        idPorta: 100,
        idCliente: 7,
        local: { latitude: '-23.1', longitude: '-51.2' },
        pontos: [{ latitude: '-23.1', longitude: '-51.2' }],
      },
    );
  });

  it('finds the item ids of a change notification in its usual spellings', () => {
    expect(notificationItemIds({ idItemRede: 12 })).toEqual(['12']);
    expect(notificationItemIds({ id: '13' })).toEqual(['13']);
    expect(notificationItemIds({ dados: { id: 14 } })).toEqual(['14']);
    expect(notificationItemIds({ ids: [1, '2', 2] })).toEqual(['1', '2']);
    expect(notificationItemIds([{ idItemRede: 3 }, { dados: { id: 4 } }])).toEqual(['3', '4']);
    expect(notificationItemIds({ itens: [{ id: 5 }], evento: 'alteracao' })).toEqual(['5']);
    expect(notificationItemIds({ evento: 'x' })).toEqual([]);
    expect(notificationItemIds('oi')).toEqual([]);
  });
});
