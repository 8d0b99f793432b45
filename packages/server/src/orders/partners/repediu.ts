import { parseBrl } from '../../shared/money.js';
import { elementsOf, field, text, type PartnerAdapter } from './partner.js';

/**
 * Repediu's sales feed: `cliente, Celular, Email, CpfCnpj, Valor` (a BRL string like "1.234,56"),
 * `id_venda, DataVenda, loja_cnpj, loja_nome`. `CpfCnpj` may hold a company's CNPJ: only a CPF
 * identifies a customer.
 */
export const repediu: PartnerAdapter = {
  name: 'repediu',
  platform: 'repediu',
  elementKeys: ['vendas', 'data'],
  orders: (body) =>
    elementsOf(body, repediu.elementKeys).map((sale) => ({
      order_id: text(sale, 'id_venda'),
      value_cents: parseBrl(field(sale, 'Valor')),
      ordered_at: text(sale, 'DataVenda'),
      customer: {
        name: text(sale, 'cliente'),
        phone: text(sale, 'Celular'),
        email: text(sale, 'Email'),
        cpf: text(sale, 'CpfCnpj'),
      },
    })),
};
