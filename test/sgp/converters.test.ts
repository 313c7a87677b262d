import { describe, expect, it } from 'vitest';
import {
  contractPage,
  contractsOfCustomer,
  documentSpellings,
  formatAddress,
  parseConnection,
  parseDocument,
  parseLatLngText,
  parsePoint,
  parseRx,
  parseStatus,
  placementFromOnus,
  SgpShapeError,
} from '../../src/integrations/sgp/converters.js';
import { dayWindow, sgpDay, windowParams } from '../../src/integrations/sgp/date-window.js';

// A customer as /api/ura/clientes/ returns it (field list from the reference), with the quirks
// seen in real answers: status text with spaces, numbers as strings, RX with a unit.
const CUSTOMER = {
  id: 4521,
  nome: '  MARIA  DA SILVA ',
  cpfcnpj: '529.982.247-25',
  tipo: 'F',
  dataCadastro: '2024-02-01',
  endereco: {
    logradouro: 'Rua Néo Alves Martins',
    numero: '2000',
    complemento: '',
    bairro: 'Zona 03',
    cidade: 'Maringá',
    uf: 'PR',
    cep: '87050-110',
    latitude: '-23.4205',
    longitude: '-51.9333',
  },
  contatos: {
    telefones: [],
    celulares: ['(44) 99999-0000'],
    emails: ['maria@example.com'],
    outros: [],
  },
  contratos: [
    {
      id: 98765,
      pop_id: 2,
      status: ' Ativo ',
      motivo_status: '',
      vencimento: 10,
      formaCobranca: 'Boleto',
      dataCadastro: '2024-02-01',
      servicos: [
        {
          id: 1,
          tipo: 'internet',
          login: 'maria.silva',
          plano: { id: 3, descricao: 'FIBRA 500MB' },
          endereco: {
            logradouro: 'Avenida Brasil',
            numero: '1500',
            complemento: 'Apto 12',
            bairro: 'Zona 01',
            cidade: 'Maringá',
            uf: 'PR',
            cep: '87013-000',
            latitude: '-23,4253',
            longitude: '-51,9386',
          },
        },
      ],
      conexao: { status: 'Online', ip: '100.64.1.2', data_conexao: '2024-05-01 08:00:00' },
      onu: { id: 77, serial: 'ZTEG00000077', rx: '-20.0 dBm', tx: '2.1', slot: 1, pon: 3 },
    },
    {
      id: '98766',
      status: 'Ativo V. Reduzida',
      servicos: [],
      conexao: { status: 'offline' },
      onu: { rx: 'N/A' },
    },
  ],
};

describe('SGP converters', () => {
  it('reads each status code and the texts SGP shows for them', () => {
    expect(parseStatus(1)).toBe(1);
    expect(parseStatus('6')).toBe(6);
    expect(parseStatus(' Ativo ')).toBe(1);
    expect(parseStatus('INATIVO')).toBe(2);
    expect(parseStatus('Cancelado')).toBe(3);
    expect(parseStatus('Suspenso')).toBe(4);
    expect(parseStatus('Inviabilidade Técnica')).toBe(5);
    expect(parseStatus('inviabilidade  tecnica')).toBe(5);
    expect(parseStatus(' Novo')).toBe(6);
    expect(parseStatus('Ativo V. Reduzida')).toBe(7);
    expect(parseStatus('Ativo Reduzido')).toBe(7);
    expect(parseStatus('Bloqueado')).toBeNull();
    expect(parseStatus(9)).toBeNull();
    expect(parseStatus(undefined)).toBeNull();
  });

  it('reads RX power as SGP writes it, and nothing from "N/A" or no light', () => {
    expect(parseRx('-20.017')).toBe(-20.017);
    expect(parseRx('-20.0 dBm')).toBe(-20);
    expect(parseRx(' -19,25 dBm ')).toBe(-19.25);
    expect(parseRx(-21.4567)).toBe(-21.457);
    expect(parseRx('N/A')).toBeNull();
    expect(parseRx('')).toBeNull();
    expect(parseRx('-')).toBeNull();
    expect(parseRx('0')).toBeNull();
    expect(parseRx('-99.9')).toBeNull();
    expect(parseRx(null)).toBeNull();
  });

  it('reads coordinates from separate fields or "lat,lng", and tells missing from invalid', () => {
    expect(parsePoint('-23.4253', '-51.9386')).toEqual({
      kind: 'point',
      point: { lat: -23.4253, lng: -51.9386 },
    });
    expect(parsePoint('-23,4253', '-51,9386')).toEqual({
      kind: 'point',
      point: { lat: -23.4253, lng: -51.9386 },
    });
    expect(parsePoint(-23.4, -51.9)).toEqual({ kind: 'point', point: { lat: -23.4, lng: -51.9 } });
    expect(parsePoint('', '')).toEqual({ kind: 'missing' });
    expect(parsePoint(undefined, null)).toEqual({ kind: 'missing' });
    expect(parsePoint('0', '0')).toEqual({ kind: 'missing' });
    expect(parsePoint('-123.4', '-51.9')).toEqual({ kind: 'invalid', raw: '-123.4,-51.9' });
    expect(parsePoint('abc', '-51.9')).toMatchObject({ kind: 'invalid' });
    expect(parseLatLngText('-23.4253,-51.9386')).toEqual({
      kind: 'point',
      point: { lat: -23.4253, lng: -51.9386 },
    });
    expect(parseLatLngText(' -23.4253 , -51.9386 ')).toMatchObject({ kind: 'point' });
    expect(parseLatLngText('')).toEqual({ kind: 'missing' });
    expect(parseLatLngText('-23.4253')).toMatchObject({ kind: 'invalid' });
    expect(parseLatLngText('-23.4;-51.9')).toMatchObject({ kind: 'invalid' });
  });

  it('reads connection state, documents and addresses', () => {
    expect(parseConnection(' Online ')).toBe('online');
    expect(parseConnection('OFFLINE')).toBe('offline');
    expect(parseConnection(true)).toBe('online');
    expect(parseConnection('desconhecido')).toBeNull();
    expect(parseDocument('529.982.247-25')).toBe('52998224725');
    expect(parseDocument('11.222.333/0001-81')).toBe('11222333000181');
    expect(parseDocument('123')).toBeNull();
    expect(documentSpellings('52998224725')).toEqual(['52998224725', '529.982.247-25']);
    expect(documentSpellings('11222333000181')).toEqual(['11222333000181', '11.222.333/0001-81']);
    expect(formatAddress(CUSTOMER.endereco)).toBe(
      'Rua Néo Alves Martins, 2000 - Zona 03, Maringá - PR, 87050-110',
    );
    expect(formatAddress({ logradouro: 'Rua A', cidade: 'Sarandi' })).toBe('Rua A, Sarandi');
    expect(formatAddress({})).toBeNull();
    expect(formatAddress('Rua A')).toBeNull();
  });

  it('turns a customer with two contracts into two contracts with the service address', () => {
    const { contracts, rejected } = contractsOfCustomer(CUSTOMER);
    expect(rejected).toEqual([]);
    expect(contracts).toEqual([
      {
        contractId: '98765',
        customerId: '4521',
        name: 'MARIA DA SILVA',
        document: '52998224725',
        status: 1,
        statusText: 'Ativo',
        address: 'Avenida Brasil, 1500 - Apto 12 - Zona 01, Maringá - PR, 87013-000',
        coordinates: { kind: 'point', point: { lat: -23.4253, lng: -51.9386 } },
        connection: 'online',
        rxDbm: -20,
        phone: '(44) 99999-0000',
        email: 'maria@example.com',
      },
      {
        contractId: '98766',
        customerId: '4521',
        name: 'MARIA DA SILVA',
        document: '52998224725',
        status: 7,
        statusText: 'Ativo V. Reduzida',
        // No service address: the customer's.
        address: 'Rua Néo Alves Martins, 2000 - Zona 03, Maringá - PR, 87050-110',
        coordinates: { kind: 'point', point: { lat: -23.4205, lng: -51.9333 } },
        connection: 'offline',
        rxDbm: null,
        phone: '(44) 99999-0000',
        email: 'maria@example.com',
      },
    ]);
  });

  it('keeps what it can of a customer with missing fields, and names what it cannot read', () => {
    const { contracts, rejected } = contractsOfCustomer({
      id: 7,
      contratos: [{ status: 'Novo' }, 'x', { id: 55 }],
    });
    expect(rejected).toEqual([
      { itemId: 'cliente 7', reason: 'contract without an id' },
      { itemId: 'cliente 7', reason: 'contract entry is not an object' },
    ]);
    expect(contracts).toEqual([
      {
        contractId: '55',
        customerId: '7',
        name: null,
        document: null,
        status: null,
        statusText: '',
        address: null,
        coordinates: { kind: 'missing' },
        connection: null,
        rxDbm: null,
        phone: null,
        email: null,
      },
    ]);
    expect(contractsOfCustomer({ id: 8 }).contracts).toEqual([]);
    expect(contractsOfCustomer(null).rejected).toHaveLength(1);
  });

  it('reads a page with its total, and refuses an answer that is not a page', () => {
    const page = contractPage({ clientes: [CUSTOMER], paginacao: { total: 250 } }, 200);
    expect(page).toMatchObject({ offset: 200, total: 250, customers: 1 });
    expect(page.contracts).toHaveLength(2);
    expect(contractPage({ clientes: [] }, 0)).toMatchObject({ total: 0, customers: 0 });
    expect(() => contractPage({ detail: 'x' }, 0)).toThrow(SgpShapeError);
    expect(() => contractPage('<html>', 0)).toThrow(/clientes/);
  });

  it('finds the CTO and port of a contract in the ONU list', () => {
    const rows = [
      { id: 1, cto: 'CTO-OUTRA', ctoport: 2, service_contrato: 11, info_rx: '-18.1' },
      { id: 2, cto: null, ctoport: null, service_contrato: 98765 },
      {
        id: 3,
        cto: ' CTO-ZONA01-07 ',
        ctoport: '5',
        service_contrato: '98765',
        info_rx: '-21.3 dBm',
      },
    ];
    expect(placementFromOnus(rows, '98765')).toEqual({
      contractId: '98765',
      ctoName: 'CTO-ZONA01-07',
      port: 5,
      rxDbm: -21.3,
    });
    expect(placementFromOnus([{ service_contrato: 5, cto: '', ctoport: 'x' }], '5')).toEqual({
      contractId: '5',
      ctoName: null,
      port: null,
      rxDbm: null,
    });
    expect(placementFromOnus([], '5')).toBeNull();
    expect(() => placementFromOnus({ detail: 'x' }, '5')).toThrow(SgpShapeError);
  });

  it('builds São Paulo day windows as pairs', () => {
    // 02:30 UTC on the 10th is still the 9th in São Paulo (UTC-3).
    const at = new Date('2026-03-10T02:30:00Z');
    expect(sgpDay(at)).toBe('2026-03-09');
    const w = dayWindow('data_contrato_status', new Date('2026-03-05T12:00:00Z'), at);
    expect(w).toEqual({ field: 'data_contrato_status', from: '2026-03-04', to: '2026-03-09' });
    expect(windowParams(w)).toEqual({
      data_contrato_status_inicio: '2026-03-04',
      data_contrato_status_fim: '2026-03-09',
    });
  });
});
