package io.ferry.systemmanager.internal.web;

import io.swagger.v3.oas.models.Components;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.info.Info;
import io.swagger.v3.oas.models.security.SecurityRequirement;
import io.swagger.v3.oas.models.security.SecurityScheme;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The OpenAPI document's description and its two ways to authenticate. */
@Configuration(proxyBeanMethods = false)
public class OpenApiConfiguration {

  @Bean
  OpenAPI ferryOpenApi() {
    return new OpenAPI()
        .info(new Info().title("Ferry system manager API").version("v1")
            .description("Moves virtual machine images between clouds. Errors are RFC 9457 problem details"
                + " with a stable 'code' property."))
        .components(new Components()
            .addSecuritySchemes("token", new SecurityScheme().type(SecurityScheme.Type.HTTP).scheme("bearer")
                .description("An API token (ferry_...) from POST /api/v1/tokens"))
            .addSecuritySchemes("session", new SecurityScheme().type(SecurityScheme.Type.APIKEY)
                .in(SecurityScheme.In.COOKIE).name("JSESSIONID")
                .description("The session of POST /api/v1/auth/login; mutating requests also send X-XSRF-TOKEN")))
        .addSecurityItem(new SecurityRequirement().addList("token"))
        .addSecurityItem(new SecurityRequirement().addList("session"));
  }
}
