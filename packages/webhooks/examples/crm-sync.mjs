// @ts-check
// Syncs new loyalty members to a CRM (the docs' customer.registered flow), on plain node:http.
//   ZUPY_WEBHOOK_SECRET=whsec_… PORT=4000 node examples/crm-sync.mjs
import http from 'node:http';
import { createWebhookHandler } from '@zupy/webhooks';
import { createNodeListener } from '@zupy/webhooks/node';

/** Stands in for your CRM client. */
const crm = {
  /** @param {Record<string, unknown>} contact */
  createContact(contact) {
    console.log('crm.createContact', JSON.stringify(contact));
    return Promise.resolve();
  },
};

const handler = createWebhookHandler({
  secret: process.env.ZUPY_WEBHOOK_SECRET ?? '',
  on: {
    'customer.registered': async (event, context) => {
      const { customer, company_id, welcome_reward } = event;
      const [firstName, ...rest] = customer.name.split(' ');
      await crm.createContact({
        email: customer.email,
        phone: customer.whatsapp,
        firstName,
        lastName: rest.join(' '),
        customFields: {
          loyaltyId: customer.member_id,
          loyaltyTier: customer.tier,
          cpf: customer.cpf,
          companyId: company_id,
          registrationDate: customer.created_at,
          welcomePoints: welcome_reward.type === 'points' ? welcome_reward.points_awarded : 0,
        },
        tags: ['loyalty-member', customer.tier, 'new-customer', ...(context.test ? ['test'] : [])],
      });
    },
  },
});

const port = Number(process.env.PORT ?? 4000);
http.createServer(createNodeListener(handler)).listen(port, '127.0.0.1', () => {
  console.log(`listening on http://127.0.0.1:${port}`);
});
