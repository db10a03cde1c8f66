"""What an independent parser (feedparser) reads from a podcast feed, as JSON, for the import round trip.

Usage: python3 feed_facts.py FEED.xml  ->  {"podcastGuid": ..., "items": [{guid, title, enclosure, published, episode, season, duration}]}
"""
import calendar
import json
import sys

import feedparser


def seconds(raw):
    if raw in (None, ''):
        return None
    total = 0.0
    for part in str(raw).strip().split(':'):
        total = total * 60 + float(part)
    return round(total)


def number(raw):
    return int(raw) if raw not in (None, '') else None


def facts(path):
    feed = feedparser.parse(path)
    items = []
    for entry in feed.entries:
        enclosure = entry.enclosures[0] if entry.get('enclosures') else None
        items.append({
            'guid': entry.get('id'),
            'title': entry.get('title'),
            'enclosure': None if enclosure is None else {
                'url': enclosure.get('href'),
                'length': int(enclosure.get('length') or 0),
                'type': enclosure.get('type'),
            },
            'published': calendar.timegm(entry.published_parsed) if entry.get('published_parsed') else None,
            'episode': number(entry.get('itunes_episode')),
            'season': number(entry.get('itunes_season')),
            'duration': seconds(entry.get('itunes_duration')) or None,
        })
    return {'podcastGuid': feed.feed.get('podcast_guid'), 'items': items}


if __name__ == '__main__':
    json.dump(facts(sys.argv[1]), sys.stdout)
