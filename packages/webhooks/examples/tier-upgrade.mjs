// @ts-check
// Congratulates customers who move up a tier (the docs' tier.upgraded flow), on Express.
//   ZUPY_WEBHOOK_SECRET=whsec_… PORT=4001 node examples/tier-upgrade.mjs
import express from 'express';
import { createWebhookHandler } from '@zupy/webhooks';
import { createExpressMiddleware } from '@zupy/webhooks/express';

/** Stands in for your WhatsApp or push provider. */
const whatsapp = {
  /** @param {string} to @param {string} text */
  send(to, text) {
    console.log('whatsapp.send', to, JSON.stringify(text));
    return Promise.resolve();
  },
};

const handler = createWebhookHandler({
  secret: process.env.ZUPY_WEBHOOK_SECRET ?? '',
  on: {
    'tier.upgraded': async (event) => {
      const { customer, tier_change } = event;
      const next = tier_change.next_tier_requirements;
      await whatsapp.send(
        customer.whatsapp,
        `Parabéns, ${customer.name}! Você subiu para ${tier_change.new_tier.toUpperCase()}!` +
          (next ? ` Faltam ${next.points_needed} para ${next.tier_name}.` : ' Você chegou ao topo!'),
      );
    },
  },
});

const app = express();
// The webhook route comes before express.json(): the signature covers the raw bytes.
app.post('/webhooks/zupy', createExpressMiddleware(handler));
app.use(express.json());

const port = Number(process.env.PORT ?? 4001);
app.listen(port, '127.0.0.1', () => console.log(`listening on http://127.0.0.1:${port}`));
