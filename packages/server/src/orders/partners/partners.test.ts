import { describe, expect, it } from 'vitest';
import { generic } from './generic.js';
import { PARTNERS, partnerNamed } from './index.js';
import { repediu } from './repediu.js';

describe('partner adapters', () => {
  it('repediu: its field names, Valor as a BRL string, an array or {vendas: [...]}', () => {
    const sale = {
      cliente: ' Ana ',
      Celular: '(11) 98888-7777',
      Email: '',
      CpfCnpj: '529.982.247-25',
      Valor: '1.234,56',
      id_venda: 88421,
      DataVenda: '2025-08-29 18:10:00',
      loja_cnpj: '12.345.678/0001-95',
      loja_nome: 'Centro',
    };
    const read = {
      order_id: '88421',
      value_cents: 123456,
      ordered_at: '2025-08-29 18:10:00',
      customer: { name: 'Ana', phone: '(11) 98888-7777', email: null, cpf: '529.982.247-25' },
    };
    expect(repediu.orders([sale])).toEqual([read]);
    expect(repediu.orders({ vendas: [sale, sale] })).toEqual([read, read]);
    expect(repediu.orders(sale)).toEqual([read]);
    expect(repediu.orders({ ...sale, Valor: 'grátis' })[0]!.value_cents).toBeNull();
    expect(repediu.platform).toBe('repediu');
  });

  it('generic: its field names, order_total as a number or a string; nothing from what is not an order', () => {
    expect(
      generic.orders({
        orders: [{ order_id: 'A', order_total: 19.99, customer_phone: '11 97777-1234' }, 'x'],
      }),
    ).toEqual([
      {
        order_id: 'A',
        value_cents: 1999,
        ordered_at: null,
        customer: { name: null, phone: '11 97777-1234', email: null, cpf: null },
      },
      {
        order_id: null,
        value_cents: null,
        ordered_at: null,
        customer: { name: null, phone: null, email: null, cpf: null },
      },
    ]);
    expect(generic.orders([{ order_total: '89,90' }])[0]!.value_cents).toBe(8990);
    expect(generic.orders(null)).toEqual([]);
    expect(generic.orders(7)).toEqual([]);
    expect(generic.platform).toBe('pos');
  });

  it('are found by name, and only by their own names', () => {
    expect(Object.keys(PARTNERS)).toEqual(['generic', 'repediu']);
    expect(partnerNamed('repediu')).toBe(repediu);
    expect(partnerNamed('toString')).toBeUndefined();
    expect(partnerNamed('ifood')).toBeUndefined();
  });
});
