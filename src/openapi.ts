import { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';

/** The OpenAPI document, served at /api/docs (UI) and /api/docs-json. */
export function setupOpenApi(app: INestApplication): void {
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('VoIP Billing API')
      .setDescription(
        'REST API of the billing platform. Money is a decimal string ("12.50"), never a JSON number. ' +
          'Errors: { statusCode, error, message, details: [{ field, message }] }.',
      )
      .setVersion('1')
      .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'token from POST /api/v1/auth/token, or an API key' })
      .build(),
  );
  SwaggerModule.setup('api/docs', app, document, { jsonDocumentUrl: 'api/docs-json' });
}
