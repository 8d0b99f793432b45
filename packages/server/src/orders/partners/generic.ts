import { parseBrl } from '../../shared/money.js';
import { elementsOf, field, text, type PartnerAdapter } from './partner.js';

/**
 * Any POS or ordering system that can send JSON: `customer_name, customer_phone, customer_email,
 * customer_cpf, order_total` (a number or a BRL string), `order_id, order_date, store_cnpj,
 * store_name`. Credited as platform `pos`.
 */
export const generic: PartnerAdapter = {
  name: 'generic',
  platform: 'pos',
  elementKeys: ['orders', 'data'],
  orders: (body) =>
    elementsOf(body, generic.elementKeys).map((order) => ({
      order_id: text(order, 'order_id'),
      value_cents: parseBrl(field(order, 'order_total')),
      ordered_at: text(order, 'order_date'),
      customer: {
        name: text(order, 'customer_name'),
        phone: text(order, 'customer_phone'),
        email: text(order, 'customer_email'),
        cpf: text(order, 'customer_cpf'),
      },
    })),
};
