<?xml version="1.0" encoding="UTF-8"?>
<!-- Makes the podcast feed readable when someone opens feed.xml in a browser. Podcast apps ignore it. -->
<xsl:stylesheet version="1.0"
  xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
  xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd">
  <xsl:output method="html" encoding="UTF-8" indent="yes"/>

  <xsl:template match="/rss/channel">
    <html lang="{language}">
      <head>
        <meta charset="utf-8"/>
        <meta name="viewport" content="width=device-width, initial-scale=1"/>
        <meta name="color-scheme" content="light dark"/>
        <title><xsl:value-of select="title"/> · podcast feed</title>
        <style>
          :root { color-scheme: light dark; --muted: #5f5b56; --accent: #0b6e4f; --surface: #f3efe8;
            font-family: system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif; line-height: 1.55; }
          @media (prefers-color-scheme: dark) { :root { --muted: #aaa39a; --accent: #5fd3a7; --surface: #24221f; } }
          body { max-width: 42rem; margin: 0 auto; padding: 1rem; overflow-wrap: break-word; }
          a { color: var(--accent); }
          .about { background: var(--surface); padding: 0.75rem 1rem; border-radius: 10px; }
          .show { display: flex; gap: 1rem; align-items: flex-start; }
          .show img { border-radius: 10px; }
          ol { list-style: none; padding: 0; }
          li { border-top: 1px solid var(--surface); padding: 0.75rem 0; }
          .meta { color: var(--muted); font-size: 0.9rem; }
        </style>
      </head>
      <body>
        <p class="about">This is the podcast feed of <strong><xsl:value-of select="title"/></strong>.
          To subscribe, copy the address of this page into your podcast app.</p>
        <div class="show">
          <img src="{itunes:image/@href}" alt="" width="96" height="96"/>
          <div>
            <h1><xsl:value-of select="title"/></h1>
            <p><xsl:value-of select="description"/></p>
            <p><a href="{link}">Show notes website</a></p>
          </div>
        </div>
        <h2>Episodes</h2>
        <ol>
          <xsl:for-each select="item">
            <li>
              <a href="{link}"><strong><xsl:value-of select="title"/></strong></a>
              <div class="meta">
                <xsl:value-of select="substring(pubDate, 1, 16)"/>
                <xsl:if test="itunes:duration">
                  · <xsl:value-of select="floor(itunes:duration div 60)"/>:<xsl:value-of select="format-number(itunes:duration mod 60, '00')"/>
                </xsl:if>
                · <a href="{enclosure/@url}">audio</a>
              </div>
            </li>
          </xsl:for-each>
        </ol>
      </body>
    </html>
  </xsl:template>

  <xsl:template match="/">
    <xsl:apply-templates select="rss/channel"/>
  </xsl:template>
</xsl:stylesheet>
